// The nftables rules of a testbed. Each host namespace has a `defs` table: a set of addresses it
// cannot exchange packets with (partitions) and a chain of random drops on its way out (loss).
// Loopback is never touched: the daemon's API and the CLI talk over it.

export const faultTable = `table inet defs {
  set blocked { type ipv4_addr; }
  chain loss { }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "lo" accept
    ip saddr @blocked drop
  }
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "lo" accept
    ip daddr @blocked drop
    jump loss
  }
}
`

// A NAT as home routers do it: outbound connections are masqueraded behind the NAT's one public
// address, and nothing from outside reaches the inside unless it answers one of them.
export const natTable = `table ip defs-nat {
  chain forward {
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "lan0" oifname "eth0" accept
  }
  chain postrouting {
    type nat hook postrouting priority 100;
    oifname "eth0" masquerade
  }
}
`

/** Rules that drop a fraction of outgoing packets, uniformly at random (per packet). */
export function lossRules(fraction: number): string {
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`loss must be in [0, 1), got ${fraction}`)
  const lines = ['flush chain inet defs loss']
  const perMillion = Math.round(fraction * 1_000_000)
  if (perMillion > 0)
    lines.push(`add rule inet defs loss oifname "eth0" numgen random mod 1000000 < ${perMillion} drop`)
  return `${lines.join('\n')}\n`
}

export function blockRules(verb: 'add' | 'delete', addresses: string[]): string {
  if (addresses.length === 0) return ''
  return `${verb} element inet defs blocked { ${addresses.join(', ')} }\n`
}
