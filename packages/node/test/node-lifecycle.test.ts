// A node comes back by itself and never confuses the network: a copied directory refuses to start
// beside its original, a moved one starts as the same node, a lost identity joins as a new node,
// a retired one starts as a new node and its old id is refused by the peers that heard, and a
// disk at its floor refuses stores with a clear error and loses nothing already stored.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { cp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { sha256 } from '@defs/crypto'
import { createHost, verifyLocation } from '@defs/net'
import { shardHeaderOf, signShardHeader } from '@defs/segment'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { createNode, type DefsNode, type NodeComponents } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

describe('a node directory', () => {
  let net: TestNetwork
  before(async () => {
    net = await startNetwork(2)
  })
  after(async () => {
    await net?.stop()
  })
  // No bootstrap: a test dials what it needs (libp2p rate-limits inbound connections per address).
  const start = (dataDir: string, options = {}) => createNode({ dataDir, workerNum: 1, ...options })

  it('copied beside its original refuses to start; moved, it is the same node', async () => {
    const original = join(net.root, 'original')
    const first = await start(original)
    const id = first.peerId
    await first.stop()
    await cp(original, join(net.root, 'copy'), { recursive: true })
    await assert.rejects(start(join(net.root, 'copy')), (err: Error) => {
      assert.equal(err.name, 'DirectoryOwnerError')
      assert.match(err.message, /is a copy of .*original, which is node 12D3KooW\w+ on this machine/)
      return true
    })
    const moved = join(net.root, 'moved')
    await rename(original, moved)
    const again = await start(moved)
    assert.equal(again.peerId, id)
    await again.stop()
    const status = JSON.parse(await readFile(join(moved, 'data-status'), 'utf8')) as { path: string }
    assert.equal(status.path, moved)
  })

  it('refuses an identity that is not the directory owner, and data of a newer format', async () => {
    const a = join(net.root, 'owner-a')
    const b = join(net.root, 'owner-b')
    await (await start(a)).stop()
    await (await start(b)).stop()
    await cp(join(b, 'identity'), join(a, 'identity'))
    await assert.rejects(start(a), {
      name: 'DirectoryOwnerError',
      message: /belongs to node \w+, but its identity file is node \w+'s/
    })
    const status = JSON.parse(await readFile(join(b, 'data-status'), 'utf8'))
    await writeFile(join(b, 'data-status'), JSON.stringify({ ...status, format: 99 }))
    await assert.rejects(start(b), {
      name: 'IncompatibleDataError',
      message: /data format 99, newer than this DeFS reads/
    })
  })

  it('that lost its identity joins as a new node, the old id’s records expire, its files still read', async () => {
    const dir = join(net.root, 'wiped')
    const node = await start(dir)
    // A node that asks the index who holds the file, as any reader would (its components through a probe).
    let asker: NodeComponents | undefined
    const askerNode = await start(join(net.root, 'wiped-asker'), {
      services: {
        probe: {
          create: (c: NodeComponents) => {
            asker = c
            return {}
          }
        }
      }
    })
    for (const n of [...net.nodes, askerNode]) await node.peers.connect(n.addresses()[0]!)
    for (const n of net.nodes) await askerNode.peers.connect(n.addresses()[0]!)
    const old = node.peerId
    const src = join(net.root, 'wiped-src')
    const bytes = randomBytes(300_000)
    await writeFile(src, bytes)
    const put = await node.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const fileId = Buffer.from(put.fileId, 'hex')
    const signers = async () => {
      const found = await asker!.host.services.index.lookup(fileId, { want: 'shards', timeoutMs: 5000 })
      return found.locations
    }
    // Gossip needs the topic mesh: ask until the holder's own records come back (bounded).
    let before: Awaited<ReturnType<typeof signers>> = []
    for (let i = 0; i < 20 && !before.some((l) => l.peer.toString() === old); i++) before = await signers()
    const oldRecords = before.filter((l) => l.peer.toString() === old)
    assert.ok(oldRecords.length > 0, 'the holder answered for its shards under its first id')
    await node.stop()
    await rm(join(dir, 'identity'))
    const renewed = await start(dir)
    try {
      assert.notEqual(renewed.peerId, old)
      assert.equal((await readFile(join(dir, 'node-id'), 'utf8')).trim(), renewed.peerId)
      const status = JSON.parse(await readFile(join(dir, 'data-status'), 'utf8')) as { pastIds: string[] }
      assert.deepEqual(status.pastIds, [old])
      for (const n of net.nodes) await renewed.peers.connect(n.addresses()[0]!)
      // The ledger: the file reads back from a node that did not store it, its holders found anew.
      const out = join(net.root, 'wiped-out')
      await net.nodes[0]!.files.get(put.capability, out)
      assert.deepEqual(await readFile(out), bytes)
      // The shards it kept are answered for under the new id, never the old one again: nobody
      // holds the old key to sign for it.
      await renewed.peers.connect(askerNode.addresses()[0]!)
      let after: Awaited<ReturnType<typeof signers>> = []
      for (let i = 0; i < 20 && !after.some((l) => l.peer.toString() === renewed.peerId); i++)
        after = await signers()
      assert.ok(
        after.some((l) => l.peer.toString() === renewed.peerId),
        'the new id answers for the shards'
      )
      assert.ok(!after.some((l) => l.peer.toString() === old), 'no fresh record of the old id')
      // And what was signed under the old id runs out: within the record lifetime of an hour,
      // after which every reader refuses it.
      for (const { record, envelope } of oldRecords) {
        assert.ok(record.expires - record.issued <= 3600_000, 'an old record lives at most an hour')
        await verifyLocation(envelope, old, { fileId, now: record.expires - 1 })
        await assert.rejects(verifyLocation(envelope, old, { fileId, now: record.expires }), {
          name: 'InvalidLocationRecordError',
          message: /expired/
        })
      }
    } finally {
      await renewed.stop()
      await askerNode.stop()
    }
  })

  it('retired starts as a new node, and the peers that heard refuse the old id', async () => {
    const dir = join(net.root, 'retired')
    const node = await start(dir)
    for (const n of net.nodes) await node.peers.connect(n.addresses()[0]!)
    const old = node.peerId
    const peer = net.nodes[0]!
    await waitFor(async () => (await peer.peers.list()).some((p) => p.peerId === old), 'the peer connected')
    // Gossip needs the topic mesh; give it a moment to form before the record goes out.
    await new Promise((r) => setTimeout(r, 1500))
    const retired = await node.retire()
    assert.equal(retired.peerId, old)
    await waitFor(
      async () => !(await peer.peers.list()).some((p) => p.peerId === old),
      'the old id dropped',
      15_000
    )
    // Its next start moves the old key aside and runs as a new node.
    const renewed = await start(dir)
    try {
      assert.notEqual(renewed.peerId, old)
      await renewed.peers.connect(peer.addresses()[0]!)
      await waitFor(
        async () => (await peer.peers.list()).some((p) => p.peerId === renewed.peerId),
        'the new id joins'
      )
      // The old key, dialing again as itself: refused (hung up) by a peer that keeps the record.
      const keyFile = (await readdir(dir)).find((n) => n.startsWith('identity.retired-'))
      assert.equal(keyFile, `identity.retired-${old}`)
      const ghost = await createHost({
        host: '127.0.0.1',
        privateKey: privateKeyFromProtobuf(await readFile(join(dir, keyFile!)))
      })
      let reached = false
      const onConnect = (e: CustomEvent<{ peerId: string }>) => {
        if (e.detail.peerId === old) reached = true
      }
      peer.events.addEventListener('peer:connect', onConnect)
      try {
        await ghost.dial(multiaddr(peer.addresses()[0]!)).catch(() => {})
        // It did get through to the peer, which then hung up: the refusal, not a failed dial.
        await waitFor(() => reached, 'the old id reached the peer')
        await new Promise((r) => setTimeout(r, 1000))
        assert.ok(
          !(await peer.peers.list()).some((p) => p.peerId === old),
          'the retired id is not taken back'
        )
      } finally {
        peer.events.removeEventListener('peer:connect', onConnect)
        await ghost.stop()
      }
    } finally {
      await renewed.stop()
    }
  })

  it('at its free-disk floor refuses stores, clearly, and loses nothing it holds', async () => {
    const full = (await start(join(net.root, 'full'), {
      minFreeDisk: Number.MAX_SAFE_INTEGER,
      services: { parts: { create: (c: NodeComponents) => c } }
    })) as unknown as DefsNode<{ parts: NodeComponents }>
    const uploader = net.nodes[1]!
    try {
      for (const n of net.nodes) await full.peers.connect(n.addresses()[0]!)
      await waitFor(async () => (await uploader.status()).peers >= 2, 'the full node joined')
      const src = join(net.root, 'to-full')
      const bytes = randomBytes(200_000)
      await writeFile(src, bytes)
      // Three nodes, three shards: one must go to the full node, which refuses, so the put fails
      // naming why; a 2-shard code goes around it.
      await assert.rejects(
        uploader.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 }),
        (err: Error) => {
          assert.equal(err.name, 'PlacementError')
          assert.match(err.message, /no room|disk nearly full/)
          return true
        }
      )
      assert.equal((await full.status()).storedShards, 0)
      // Its own store says why, in one line.
      const body = randomBytes(1000)
      const id = await sha256(body)
      const fields = { fileId: randomBytes(16), slice: 0, index: 0, dataShards: 1, parityShards: 0 }
      const header = await signShardHeader(full.services.parts.userKey, id, shardHeaderOf(fields, body))
      await assert.rejects(full.services.parts.shards.put(id, body, header), {
        name: 'QuotaExceededError',
        message: /^disk nearly full: \d+ bytes free, minFreeDisk keeps \d+, \d+ more asked$/
      })
      // It still stores its own files, on others; a 2-shard code goes around it.
      const own = await full.files.put(src, { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
      assert.ok(own.placement.every((s) => s.shards.every((sh) => sh.peerId !== full.peerId)))
      assert.equal((await full.status()).storedShards, 0)
      const ok = await uploader.files.put(src, { mode: 'rs-proportion', dataShards: 1, parityShards: 1 })
      const out = join(net.root, 'from-full')
      await net.nodes[0]!.files.get(ok.capability, out)
      assert.deepEqual(await readFile(out), bytes)
      const disk = (await full.status()).disk
      assert.equal(disk.minFreeDisk, Number.MAX_SAFE_INTEGER)
      assert.ok(disk.freeBytes > 0)
    } finally {
      await full.stop()
    }
  })
})
