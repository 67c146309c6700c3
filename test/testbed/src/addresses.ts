// Addresses from 198.18.0.0/15, the range set aside for benchmark networks (RFC 2544), so no
// testbed packet can be mistaken for, or reach, a real network. The hosts share 198.18.0.0/16
// on the bridge; a host behind NAT i sits on 198.19.i.0/24, its NAT at .1, itself at .2.

export const maxHosts = 250
export const bridgePrefix = 16
export const publicNetwork = '198.18.0.0/16'

/** The address of host slot `i` (1-based) on the bridge. */
export function publicAddress(i: number): string {
  if (!Number.isInteger(i) || i < 1 || i > maxHosts) {
    throw new RangeError(`host index must be an integer in 1..${maxHosts}, got ${i}`)
  }
  return `198.18.${i >> 8}.${i & 255}`
}

/** The NAT's inside address and the NATed host's own address for slot `i`. */
export function privateAddresses(i: number): { gateway: string; host: string } {
  publicAddress(i)
  return { gateway: `198.19.${i}.1`, host: `198.19.${i}.2` }
}
