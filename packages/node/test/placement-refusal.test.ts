// A peer that refuses a shard "not now" (maintenance) is left out of that placement without
// losing score, and the upload goes on over the others; a node in maintenance takes no upload
// of its own but still reads. Real nodes over TCP; the lifecycle is reached through a service,
// as maintenance will reach it.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sha256 } from '@defs/crypto'
import { shardHeaderOf } from '@defs/segment'
import { createNode, type DefsNode, type NodeComponents, placeShards } from '../src/index.ts'
import { waitFor } from './network/devnet.ts'

describe('placement around a peer in maintenance', () => {
  let root: string
  const nodes: DefsNode<{ parts: NodeComponents }>[] = []
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'defs-refusal-'))
    for (let i = 0; i < 4; i++) {
      nodes.push(
        await createNode({
          dataDir: join(root, `n${i}`),
          workerNum: 1,
          services: { parts: { create: (c) => c } }
        })
      )
    }
    for (const a of nodes) for (const b of nodes) if (a !== b) await a.peers.connect(b.addresses()[0]!)
    await waitFor(
      async () => (await Promise.all(nodes.map((n) => n.status()))).every((s) => s.peers === 3),
      'mesh'
    )
  })
  after(async () => {
    await Promise.allSettled(nodes.map((n) => n.stop()))
    await rm(root, { recursive: true, force: true })
  })

  it('skips the refusing peer and keeps its score', async () => {
    const [a, b, c, d] = nodes as [
      DefsNode<{ parts: NodeComponents }>,
      ...DefsNode<{ parts: NodeComponents }>[]
    ]
    const parts = a.services.parts
    d!.services.parts.lifecycle.enter('maintenance')
    const src = join(root, 'before')
    await writeFile(src, randomBytes(300_000))
    const put = await a.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    assert.ok(put.placement.every((s) => s.shards.every((sh) => sh.peerId !== d!.peerId)))
    parts.scorer.observe(d!.peerId, {})
    const before = parts.scorer.score(d!.peerId)
    // Only d may take this shard: it refuses "not now", so the placement fails, naming the 503...
    const body = randomBytes(1000)
    const header = shardHeaderOf(
      {
        fileId: randomBytes(16),
        slice: 0,
        index: 0,
        dataShards: 1,
        parityShards: 0,
        owner: parts.userKey.publicKey
      },
      body
    )
    await assert.rejects(
      placeShards(parts, {
        shards: [{ index: 0, id: await sha256(body), bytes: body, header }],
        exclude: new Set([a.peerId, b!.peerId, c!.peerId]),
        what: 'probe',
        signal: AbortSignal.timeout(30_000)
      }),
      (err: Error) => {
        assert.equal(err.name, 'PlacementError')
        assert.match(err.message, /refused with 503/)
        return true
      }
    )
    // ...and d's score is what it was: a refusal for maintenance is not a fault.
    assert.equal(parts.scorer.score(d!.peerId), before)
    assert.equal((await d!.status()).storedShards, 0)
  })

  it('refuses an upload on the node in maintenance and still reads there', async () => {
    const [a, , , d] = nodes
    const src = join(root, 'shared')
    const bytes = randomBytes(200_000)
    await writeFile(src, bytes)
    const put = await a!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    await assert.rejects(d!.files.put(src), { name: 'UnderMaintenanceError' })
    const out = join(root, 'read-in-maintenance')
    await d!.files.get(put.capability, out)
    assert.deepEqual(await readFile(out), bytes)
    assert.equal((await d!.status()).state, 'maintenance')
  })
})
