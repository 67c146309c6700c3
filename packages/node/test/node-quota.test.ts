import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createNode, type DefsNode } from '../src/index.ts'
import { waitFor } from './network/devnet.ts'

describe('a node whose storage quota is full', () => {
  let root: string
  const nodes: DefsNode[] = []
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'defs-quota-'))
    const small = { minSliceSize: 64 * 1024, maxSliceSize: 256 * 1024, workerNum: 1 }
    nodes.push(await createNode({ dataDir: join(root, 'a'), ...small }))
    nodes.push(await createNode({ dataDir: join(root, 'b'), ...small, maxStorage: 600_000 }))
    for (const n of nodes.slice(1)) await n.peers.connect(nodes[0]!.addresses()[0]!)
    await waitFor(async () => (await nodes[0]!.status()).peers === 1, 'connection')
  })
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()))
    await rm(root, { recursive: true, force: true })
  })

  it('refuses shards past its quota, and the upload fails naming it', async () => {
    const [a, b] = nodes as [DefsNode, DefsNode]
    const src = join(root, 'big')
    await writeFile(src, randomBytes(1024 * 1024))
    // 1+1 over two nodes: every slice puts one shard on b, which fills after its quota. Either b
    // refuses the shard past it, or (its put answers tell its room) it is left out once it says
    // it has no room for one more: the upload fails naming that.
    const noRoom =
      /QuotaExceededError: .*no room for \d+ more bytes|1 more reports no room for a \d+-byte shard/
    await assert.rejects(
      a.files.put(src, { mode: 'rs-proportion', dataShards: 1, parityShards: 1 }),
      (err: Error) => {
        assert.ok(['PlacementError', 'NotEnoughPeersError'].includes(err.name), err.name)
        assert.match(err.message, noRoom)
        return true
      }
    )
    const status = await b.status()
    assert.ok(status.storedBytes <= 600_000, `b stores ${status.storedBytes} bytes`)
    assert.equal(status.storedShards, 2)
    const task = a.tasks.list().find((t) => t.kind === 'upload')!
    assert.equal(task.state, 'failed')
    assert.match(task.error!, noRoom)
  })
})
