// Egress caps with tc's token bucket filter on a host's eth0. This kernel has no netem, so the
// testbed adds no latency: packets wait only in this queue (bounded to 50 ms at the cap) and in
// the kernel, as on a fast LAN with a slow uplink.
import { inNamespace } from './commands.ts'

const ratePattern = /^(\d+(?:\.\d+)?)(kbit|mbit|gbit)$/

/** Bits per second of a rate written as tc writes it: `100mbit`, `512kbit`, `1gbit`. */
export function parseRate(rate: string): number {
  const m = ratePattern.exec(rate)
  if (m === null)
    throw new RangeError(`egress must be a rate like 100mbit, 512kbit or 1gbit, got ${JSON.stringify(rate)}`)
  const unit = m[2] === 'kbit' ? 1e3 : m[2] === 'mbit' ? 1e6 : 1e9
  return Number(m[1]) * unit
}

/** Caps what the namespace sends on eth0; `undefined` removes the cap. */
export async function setEgress(namespace: string, rate: string | undefined): Promise<void> {
  if (rate === undefined) {
    await inNamespace(namespace, 'tc', ['qdisc', 'del', 'dev', 'eth0', 'root']).catch(() => '')
    return
  }
  const bits = parseRate(rate)
  // a burst of 10 ms at the cap (at least 32 KiB, so one GSO packet fits)
  const burst = Math.max(32 * 1024, Math.round(bits / 8 / 100))
  await inNamespace(namespace, 'tc', [
    'qdisc',
    'replace',
    'dev',
    'eth0',
    'root',
    'tbf',
    'rate',
    rate,
    'burst',
    String(burst),
    'latency',
    '50ms'
  ])
}
