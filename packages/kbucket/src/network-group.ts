// The network group of an address, for the eclipse limits: peers in one IPv4 /24 or one IPv6 /48
// are usually one operator, so the routing table and `select` cap or spread them. Loopback,
// unspecified and link-local addresses, DNS names and anything unparsable have no group
// (`undefined`): every such peer counts as a group of its own, which is what tests on one machine
// need. Feed it the address you observed on the connection, not one the peer advertised.

/**
 * `'ip4:a.b.c.0/24'` or `'ip6:x:y:z::/48'` for a routable address; `undefined` otherwise.
 * Accepts `1.2.3.4`, `1.2.3.4:4001`, `2001:db8::1`, `[2001:db8::1]:4001`, `fe80::1%eth0` and
 * multiaddrs (`/ip4/1.2.3.4/tcp/4001`, `/ip6/.../udp/4001/quic-v1`).
 */
export function networkGroupOf(address: string): string | undefined {
  const host = hostOf(address.trim())
  if (host === undefined) return undefined
  const v4 = parseIPv4(host)
  if (v4 !== undefined) return ipv4Group(v4)
  const v6 = parseIPv6(host)
  return v6 === undefined ? undefined : ipv6Group(v6)
}

function hostOf(address: string): string | undefined {
  if (address.startsWith('/')) {
    const [, protocol, host] = address.split('/')
    return protocol === 'ip4' || protocol === 'ip6' ? host : undefined
  }
  if (address.startsWith('[')) {
    const end = address.indexOf(']')
    return end < 0 ? undefined : address.slice(1, end)
  }
  const colons = address.split(':').length - 1
  // One colon is host:port; more is a bare IPv6 address.
  return colons === 1 ? address.slice(0, address.indexOf(':')) : address
}

function ipv4Group(octets: number[]): string | undefined {
  const [a, b] = octets as [number, number]
  if (a === 127 || a === 0 || (a === 169 && b === 254)) return undefined
  return `ip4:${octets.slice(0, 3).join('.')}.0/24`
}

function ipv6Group(words: number[]): string | undefined {
  const isZero = (from: number, to: number): boolean => words.slice(from, to).every((w) => w === 0)
  // ::ffff:a.b.c.d is an IPv4 peer seen through a dual-stack socket.
  if (isZero(0, 5) && words[5] === 0xffff) {
    return ipv4Group([words[6]! >> 8, words[6]! & 0xff, words[7]! >> 8, words[7]! & 0xff])
  }
  const loopbackOrUnspecified = isZero(0, 7) && words[7]! <= 1
  const linkLocal = (words[0]! & 0xffc0) === 0xfe80
  if (loopbackOrUnspecified || linkLocal) return undefined
  return `ip6:${words
    .slice(0, 3)
    .map((w) => w.toString(16))
    .join(':')}::/48`
}

function parseIPv4(host: string): number[] | undefined {
  const parts = host.split('.')
  if (parts.length !== 4) return undefined
  const octets = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN))
  return octets.every((o) => o <= 255) ? octets : undefined
}

/** Eight 16-bit words, or `undefined` when `host` is not an IPv6 address. */
function parseIPv6(host: string): number[] | undefined {
  const zone = host.indexOf('%')
  let text = zone < 0 ? host : host.slice(0, zone)
  const lastColon = text.lastIndexOf(':')
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    // A dotted IPv4 tail (::ffff:1.2.3.4) is the last two words.
    const v4 = parseIPv4(text.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    const hex = (hi: number, lo: number): string => ((hi << 8) | lo).toString(16)
    text = `${text.slice(0, lastColon + 1)}${hex(v4[0]!, v4[1]!)}:${hex(v4[2]!, v4[3]!)}`
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const head = hexWords(halves[0]!)
  const rest = halves.length === 2 ? hexWords(halves[1]!) : []
  if (head === undefined || rest === undefined) return undefined
  const given = head.length + rest.length
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest]
}

function hexWords(text: string): number[] | undefined {
  if (text === '') return []
  const words = text.split(':').map((w) => (/^[0-9a-f]{1,4}$/i.test(w) ? Number.parseInt(w, 16) : Number.NaN))
  return words.some(Number.isNaN) ? undefined : words
}
