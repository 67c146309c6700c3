// A small network of real nodes in this process, over TCP on 127.0.0.1, each with its own
// directory under one temp dir: what the node's flow tests run against.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CreateNodeOptions, createNode, type DefsNode, type NodeOptions } from '../../src/index.ts'

export interface TestNetwork {
  root: string
  nodes: DefsNode[]
  stop(): Promise<void>
}

export async function startNetwork(
  n: number,
  options: Partial<NodeOptions> & Pick<CreateNodeOptions<object>, 'services'> = {}
): Promise<TestNetwork> {
  const root = await mkdtemp(join(tmpdir(), 'defs-net-'))
  const nodes: DefsNode[] = []
  const stop = async (): Promise<void> => {
    await Promise.allSettled(nodes.map((node) => node.stop()))
    await rm(root, { recursive: true, force: true })
  }
  try {
    const first = await createNode({ dataDir: join(root, 'n0'), workerNum: 1, ...options })
    nodes.push(first)
    for (let i = 1; i < n; i++) {
      nodes.push(
        await createNode({
          dataDir: join(root, `n${i}`),
          workerNum: 1,
          bootstrap: first.addresses(),
          ...options
        })
      )
    }
    // One operator's nodes: each trusts the others (no stranger quotas, no probation).
    for (const a of nodes) for (const b of nodes) if (a !== b) await a.peers.trust(b.peerId)
    // Everyone dials everyone, so every node can place on every other (bounded wait).
    for (const a of nodes) for (const b of nodes) if (a !== b) await a.peers.connect(b.addresses()[0]!)
    await waitFor(
      async () => (await Promise.all(nodes.map((x) => x.status()))).every((s) => s.peers >= n - 1),
      'full mesh'
    )
  } catch (err) {
    await stop()
    throw err
  }
  return { root, nodes, stop }
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  what: string,
  ms = 10_000
): Promise<void> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await cond()) return
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`)
}
