// Attacks played by strangers (real nodes with keys of their own) against real nodes, end to end.
// The per-peer limits of the shard protocol (streams, bytes in flight, requests per second,
// first-byte deadline, bans, replayed deletes, forged index answers, requests that must settle)
// are attacked one by one in packages/net/test/attacks; here the node's own rules are: whose
// manifest a reader takes, what a stranger may store, and where uploads place their shards.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { sha256, toHex } from '@defs/crypto'
import { encodeEnvelope, parseFileRef, shardHeaderOf, sign, signShardHeader } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import { type Network, startNetwork } from './network.ts'

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')
const MiB = 1024 * 1024

describe('a stranger answering for a file with its own manifest', () => {
  let net: Network
  after(() => net?.stop())

  it('never makes a reader return bytes other than the owner’s, nor poisons its rollback guard', async () => {
    net = await startNetwork({ honest: 4, strangers: 2 })
    const [owner, , , reader] = net.honest
    const src = join(net.root, 'real')
    const bytes = randomBytes(700_000)
    await writeFile(src, bytes)
    const put = await owner!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    const { fileId } = parseFileRef(put.capability)
    // Each stranger signs a manifest of its own for the real file id: itself as owner, a huge
    // seq, size 0 (what a careless reader would answer 200 with, 0 bytes), and serves it.
    for (const stranger of net.strangers) {
      const c = stranger.services.parts
      const forged = await sign(
        'manifest',
        {
          fileId,
          seq: 2 ** 40,
          owner: c.userKey.publicKey,
          mode: 'file',
          dataShards: 1,
          parityShards: 0,
          size: 0,
          sliceSize: 1,
          slices: [{ plainLength: 0, cipherLength: 16, nonce: randomBytes(12), shards: [randomBytes(32)] }],
          meta: new Uint8Array(0),
          created: Date.now()
        },
        c.userKey
      )
      await c.meta.putManifest(toHex(fileId), 2 ** 40, encodeEnvelope(forged), 'stranger')
    }
    // A fresh reader, five times: whichever answer comes first, only the owner's manifest counts.
    for (let i = 0; i < 5; i++) {
      const out = join(net.root, `read-${i}`)
      const got = await reader!.files.get(put.capability, out)
      assert.equal(got.bytes, bytes.length)
      assert.equal(sha(await readFile(out)), sha(bytes))
    }
    assert.equal((await reader!.files.stat(put.capability)).size, bytes.length)
    // A capability without the owner (the old form) reads where the manifest is held, and is
    // refused, not guessed, where it is not.
    const [, key] = put.capability.split(':').slice(1)
    const old = `defs:${put.fileId}:${key}`
    const fresh = net.honest[2]!
    await assert.rejects(fresh.files.get(old, join(net.root, 'old-form')), {
      name: 'FileNotFoundError',
      message: /names no owner/
    })
    const again = join(net.root, 'old-form-held')
    await reader!.files.get(old, again)
    assert.equal(sha(await readFile(again)), sha(bytes))
  })
})

describe('strangers filling a node’s disk', () => {
  let net: Network
  after(() => net?.stop())

  it('hold at most their quota, and the operator’s own puts are not refused', async () => {
    net = await startNetwork({ honest: 3, strangers: 1 }, { maxStorage: 512 * MiB })
    const [target, uploader] = net.honest
    const stranger = net.strangers[0]!
    // The stranger puts 1 MiB shards of files of its own straight to the target (signed by its own
    // owner key, as any uploader's), 100 of them at most, until it is refused.
    const c = stranger.services.parts
    const target_ = peerIdFromString(target!.peerId)
    let stored = 0
    let refusal: Error | undefined
    for (let i = 0; i < 100 && refusal === undefined; i++) {
      const body = randomBytes(MiB)
      const id = await sha256(body)
      const fields = { fileId: randomBytes(16), slice: 0, index: 0, dataShards: 1, parityShards: 0 }
      const header = await signShardHeader(c.userKey, id, shardHeaderOf(fields, body))
      await c.host.services.shards.put(target_, header, body, { id }).then(
        () => stored++,
        (err: Error) => {
          refusal = err
        }
      )
    }
    assert.ok(refusal !== undefined, 'the stranger was refused before 100 MiB')
    assert.equal(refusal.name, 'QuotaExceededError')
    assert.match(refusal.message, /from a stranger/)
    assert.ok(stored <= 64, `the target took ${stored} MiB from a stranger, over its 64 MiB`)
    const held = (await target!.status()).storedBytes
    assert.ok(held <= 64 * MiB + 64 * 1024, `a stranger holds ${held} bytes on the target`)
    // The operator's node stores on the target all the same.
    const src = join(net.root, 'honest')
    const bytes = randomBytes(8 * MiB)
    await writeFile(src, bytes)
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
    assert.ok(put.placement.every((s) => s.shards.some((sh) => sh.peerId === target!.peerId)))
    const out = join(net.root, 'honest-out')
    await target!.files.get(put.capability, out)
    assert.equal(sha(await readFile(out)), sha(bytes))
  })
})

describe('strangers that take shards and leave', () => {
  let net: Network
  after(() => net?.stop())

  it('get shards only when too few proven peers exist, never enough to take a file down, and are named', async () => {
    net = await startNetwork({ honest: 4, strangers: 6 })
    const [uploader, , , reader] = net.honest
    const src = join(net.root, 'wide')
    const bytes = randomBytes(2 * MiB)
    await writeFile(src, bytes)
    // 4 + 2 over 4 proven nodes and 6 strangers: the 4 proven take the data shards' worth
    // first, strangers fill in for the rest and are named.
    const put = await uploader!.files.put(src, { mode: 'rs-proportion', dataShards: 4, parityShards: 2 })
    const strangerIds = new Set(net.strangers.map((s) => s.peerId))
    for (const slice of put.placement) {
      const onStrangers = slice.shards.filter((s) => strangerIds.has(s.peerId)).length
      assert.ok(onStrangers <= 2, `slice ${slice.slice} has ${onStrangers} shards on strangers, over m`)
    }
    assert.ok((put.unproven ?? []).every((p) => strangerIds.has(p)))
    assert.match(put.note ?? '', /on probation hold shards/)
    // The strangers leave: every acknowledged byte still reads, from a node that did not write it.
    await Promise.all(net.strangers.map((s) => s.stop()))
    const out = join(net.root, 'after-they-left')
    await reader!.files.get(put.capability, out)
    assert.equal(sha(await readFile(out)), sha(bytes))
  })
})
