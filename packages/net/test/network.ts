// Helpers that start small in-process networks on loopback or memory and always stop them.
import { randomUUID } from 'node:crypto'
import { createHost, type Host } from '../src/host.ts'
import type { HostOptions, TransportName } from '../src/host-options.ts'

export const LOOPBACK_ALLOW = ['/ip4/127.0.0.1/ipcidr/32']

/** Options for one test host: loopback or memory only, never a public interface. */
export function testHostOptions(transport: TransportName, extra: HostOptions = {}): HostOptions {
  return {
    transports: [transport],
    host: '127.0.0.1',
    memoryAddress: transport === 'memory' ? `defs-${randomUUID()}` : undefined,
    privateAddresses: true,
    ...extra,
    limits: { allow: LOOPBACK_ALLOW, ...extra.limits }
  }
}

/** Start `count` hosts and connect each to the first (a star the DHT and gossipsub build on). */
export async function startNetwork(
  count: number,
  transport: TransportName,
  extra: HostOptions | ((i: number) => HostOptions) = {}
): Promise<Host[]> {
  const hosts: Host[] = []
  try {
    for (let i = 0; i < count; i++) {
      hosts.push(await createHost(testHostOptions(transport, typeof extra === 'function' ? extra(i) : extra)))
    }
    for (const host of hosts.slice(1)) await host.dial(hosts[0]!.getMultiaddrs()[0]!)
    return hosts
  } catch (err) {
    await stopAll(hosts)
    throw err
  }
}

export async function stopAll(hosts: Host[]): Promise<void> {
  await Promise.allSettled(hosts.map((h) => h.stop()))
}

/** Poll `check` every 25 ms until it is true; fail after `ms`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  ms: number,
  what: string
): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

/** Gossipsub needs a mesh before a query reaches anyone: wait until every host sees subscribers. */
export async function waitForIndexMesh(hosts: Host[]): Promise<void> {
  await waitFor(
    () => hosts.every((h) => h.services.index.topicPeers().length > 0),
    15_000,
    'index topic mesh'
  )
}
