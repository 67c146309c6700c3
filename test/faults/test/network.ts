// Real nodes in this process over TCP on 127.0.0.1: an operator's trusted ones, and strangers,
// each a node of its own with its own keys, that the attacks are played from.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode, type DefsNode, type NodeComponents, type NodeOptions } from '@defs/node'

export type Node = DefsNode<{ parts: NodeComponents }>

export interface Network {
  root: string
  honest: Node[]
  strangers: Node[]
  stop(): Promise<void>
}

const parts = { parts: { create: (c: NodeComponents) => c } }

export async function startNetwork(
  counts: { honest: number; strangers: number },
  options: Partial<NodeOptions> = {}
): Promise<Network> {
  const root = await mkdtemp(join(tmpdir(), 'defs-attack-'))
  const honest: Node[] = []
  const strangers: Node[] = []
  const stop = async (): Promise<void> => {
    await Promise.allSettled([...honest, ...strangers].map((n) => n.stop()))
    await rm(root, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < counts.honest; i++)
      honest.push(
        await createNode({ dataDir: join(root, `h${i}`), workerNum: 1, ...options, services: parts })
      )
    for (let i = 0; i < counts.strangers; i++)
      strangers.push(
        await createNode({ dataDir: join(root, `s${i}`), workerNum: 1, ...options, services: parts })
      )
    // The operator's nodes trust each other; nobody trusts a stranger.
    for (const a of honest) for (const b of honest) if (a !== b) await a.peers.trust(b.peerId)
    const all = [...honest, ...strangers]
    for (const a of all) for (const b of all) if (a !== b) await a.peers.connect(b.addresses()[0]!)
    await waitFor(
      async () => (await Promise.all(all.map((n) => n.status()))).every((s) => s.peers >= all.length - 1),
      'full mesh'
    )
  } catch (err) {
    await stop()
    throw err
  }
  return { root, honest, strangers, stop }
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  ms = 15_000
): Promise<void> {
  for (const until = Date.now() + ms; Date.now() < until; ) {
    if (await cond()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}
