// Real libp2p hosts on 127.0.0.1, each with a pairing service, for the protocol tests. A host's
// outbound pair streams can be cut (`cut`), as a broken link on that side would: its requests fail
// while everything else keeps working.
import { createHost, type Host } from '@defs/net'
import {
  MemoryPairStore,
  type PairingInit,
  type PairingOptions,
  PairingService,
  type PairStore
} from '@defs/pairing'
import type { PairLifecycle } from '@defs/segment'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'

export interface PairNode {
  host: Host
  pair: PairingService
  key: PrivateKey
  store: PairStore
  /** Outbound pair requests to these peers fail ('*': to everyone). */
  cut: Set<string>
  /** The lifecycle state its heartbeats report (the test sets it, as a node's maintenance would). */
  lifecycle: { state: PairLifecycle }
  stop(): Promise<void>
}

export const fast: PairingOptions = {
  heartbeatInterval: 100,
  pairSuspectAfter: 300,
  pairFailureTimeout: 1500,
  acceptablePause: 100,
  formationBackoff: 100
}

export async function startPairNode(
  options: PairingOptions & Pick<PairingInit, 'mayPair' | 'inventory' | 'routing'> = {},
  reuse?: { key: PrivateKey; store: PairStore }
): Promise<PairNode> {
  const key = reuse?.key ?? (await generateKeyPair('Ed25519'))
  const store = reuse?.store ?? new MemoryPairStore()
  const host = await createHost({ host: '127.0.0.1', privateKey: key })
  const cut = new Set<string>()
  const lifecycle: { state: PairLifecycle } = { state: 'running' }
  const pair = new PairingService({
    ...fast,
    ...options,
    peerId: host.peerId,
    privateKey: key,
    registrar: host,
    streams: {
      openStream: async (peer, protocol, o) => {
        if (cut.has('*') || cut.has(peer.toString())) throw new Error(`link to ${peer} cut by the test`)
        return await host.dialProtocol(peer, protocol, o)
      }
    },
    peers: () => host.getPeers(),
    store,
    local: () => ({ freeBytes: 1 << 30, state: lifecycle.state }),
    logger: host.logger
  })
  await pair.start()
  return {
    host,
    pair,
    key,
    store,
    cut,
    lifecycle,
    stop: async () => {
      await pair.stop()
      await host.stop()
    }
  }
}

/**
 * Dials every node from every other, each dial bounded and tried up to 3 times: a dial to a peer
 * id that just came back on a new port was seen to hang without a signal (the dial to its old
 * address still pending), which held a test until its suite timed out.
 */
export async function mesh(nodes: PairNode[]): Promise<void> {
  for (const a of nodes)
    for (const b of nodes) {
      if (a === b) continue
      for (let attempt = 0; attempt < 3; attempt++) {
        const ok = await a.host
          .dial(b.host.getMultiaddrs()[0]!, { signal: AbortSignal.timeout(5000) })
          .then(() => true)
          .catch(() => false)
        if (ok) break
      }
    }
}

export function partnerOf(node: PairNode): string | undefined {
  return node.pair.partner()?.toString()
}

export function idOf(node: PairNode): string {
  return node.host.peerId.toString()
}

export async function waitFor(cond: () => boolean, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (cond()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}

/** Every node paired, each with a partner that names it back. */
export function mutual(nodes: PairNode[]): boolean {
  const byId = new Map(nodes.map((n) => [idOf(n), n]))
  return nodes.every((n) => {
    const p = partnerOf(n)
    return p !== undefined && byId.get(p) !== undefined && partnerOf(byId.get(p)!) === idOf(n)
  })
}

export type { PeerId }
