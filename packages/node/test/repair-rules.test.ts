// The repair service's rules on their own: options named in their errors, which slices are ill
// and in what order, and an election every holder computes alike.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { toHex } from '@defs/crypto'
import type { Manifest } from '@defs/segment'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { fileInfo } from '../src/files/file-info.ts'
import { InvalidOptionError, repair, type TaskRecord } from '../src/index.ts'
import {
  electionOrder,
  mayRepair,
  repairsInProgress,
  repairThresholdOf,
  resolveRepairOptions,
  slicesToRepair
} from '../src/repair/index.ts'
import { pairedRoom } from '../src/repair/repair-room.ts'

function manifestOf(
  k: number,
  m: number,
  slices: number,
  mode: Manifest['mode'] = 'rs-proportion'
): Manifest {
  const n = mode === 'rs-proportion' ? k + m : 1
  return {
    fileId: randomBytes(16),
    seq: 1,
    owner: { algorithm: 'ed25519', bytes: randomBytes(32) },
    mode,
    dataShards: mode === 'rs-proportion' ? k : 1,
    parityShards: m,
    size: slices * 1000,
    sliceSize: 1000,
    slices: Array.from({ length: slices }, () => ({
      plainLength: 1000,
      cipherLength: 1016,
      nonce: randomBytes(12),
      shards: Array.from({ length: n }, () => randomBytes(32))
    })),
    meta: new Uint8Array(0),
    created: 0
  }
}

describe('repair options', () => {
  it('are checked at createNode with errors that name them', () => {
    assert.throws(
      () => repair({ repairCheckInterval: 10 }),
      (e: Error) => e instanceof InvalidOptionError && /repairCheckInterval/.test(e.message)
    )
    assert.throws(() => repair({ repairBandwidth: -1 }), /option repairBandwidth must be an integer/)
    assert.throws(() => repair({ repairThreshold: 1.5 }), /option repairThreshold/)
    assert.throws(
      () => repair({ repairCheckInterva: 1000 } as never),
      /repairCheckInterva is not a repair option/
    )
  })

  it('default to a threshold of k + ceil(m / 2), never k + m', () => {
    const o = resolveRepairOptions()
    assert.equal(repairThresholdOf(o, 10, 4), 12)
    assert.equal(repairThresholdOf(o, 3, 1), 3)
    assert.equal(repairThresholdOf(resolveRepairOptions({ repairThreshold: 99 }), 3, 2), 4)
  })
})

describe('slicesToRepair', () => {
  const threshold = (k: number, m: number) => k + Math.ceil(m / 2)

  it('queues slices at the threshold, nearest k first, naming every missing shard', () => {
    const m = manifestOf(3, 2, 4)
    const all = (lost: number[]) => [0, 1, 2, 3, 4].map((j) => (lost.includes(j) ? [] : [`p${j}`]))
    // slice 0 healthy, 1 lost one shard (4 = threshold), 2 lost two (k), 3 healthy
    const needs = slicesToRepair(m, [all([]), all([4]), all([0, 3]), all([])], threshold)
    assert.deepEqual(
      needs.map((n) => [n.slice, n.healthy, n.missing]),
      [
        [2, 3, [0, 3]],
        [1, 4, [4]]
      ]
    )
  })

  it('leaves a slice above its threshold alone', () => {
    const m = manifestOf(4, 4, 1)
    const live = [Array.from({ length: 8 }, (_, j) => (j === 0 ? [] : [`p${j}`]))]
    assert.deepEqual(slicesToRepair(m, live, threshold), [])
  })

  it('asks the replicated modes for the copies they lack', () => {
    const m = manifestOf(1, 2, 2, 'slice')
    const needs = slicesToRepair(m, [[['a', 'b', 'c']], [['a']]], threshold)
    assert.deepEqual(
      needs.map((n) => [n.slice, n.copies]),
      [[1, 2]]
    )
  })
})

describe('election', () => {
  it('orders holders by XOR distance to the file, alike from any order, and gives later ranks later turns', async () => {
    const peers = await Promise.all(
      Array.from({ length: 6 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())
    )
    const fileId = randomBytes(16)
    const order = await electionOrder(fileId, peers)
    assert.deepEqual(await electionOrder(fileId, [...peers].reverse()), order)
    // The same order computed by hand: SHA-256 of the peer id bytes XOR SHA-256 of the file id.
    const target = createHash('sha256').update(fileId).digest()
    const distance = (p: string) => {
      const key = createHash('sha256').update(peerIdFromString(p).toMultihash().bytes).digest()
      return Buffer.from(key.map((b, i) => b ^ target[i]!)).toString('hex')
    }
    assert.deepEqual(
      order,
      [...peers].sort((a, b) => distance(a).localeCompare(distance(b)))
    )
    assert.equal((await mayRepair(order[0]!, fileId, peers, 0, 1000)).may, true)
    assert.equal((await mayRepair(order[2]!, fileId, peers, 1999, 1000)).may, false)
    assert.equal((await mayRepair(order[2]!, fileId, peers, 2000, 1000)).may, true)
    assert.equal((await mayRepair('not-a-holder', fileId, peers, 1e9, 1000)).may, false)
  })
})

describe('pairedRoom', () => {
  // pairs (a,b) and (c,d); e is unpaired
  const partners: Record<string, string> = { a: 'b', b: 'a', c: 'd', d: 'c' }
  const partnerOf = (p: string) => partners[p]

  it('leaves out unpaired holders and suspects, and counts each shard once per pair', () => {
    // shard 0 on both nodes of (a,b), shard 1 on c, shard 2 on e, shard 3 on a and c
    const held = [['a', 'b'], ['c'], ['e'], ['a', 'c']]
    const { exclude, perPair } = pairedRoom(held, new Set(['d']), partnerOf)
    assert.deepEqual([...exclude].sort(), ['d', 'e'])
    assert.deepEqual(perPair, ['a', 'c', 'e', 'a', 'c'])
  })

  it('without pairs is the rule of distinct holders: every holder is left out', () => {
    const { exclude } = pairedRoom([['a'], ['b', 'c']], new Set(), () => undefined)
    assert.deepEqual([...exclude].sort(), ['a', 'b', 'c'])
  })

  it("with spares, leaves out only the unpaired holders that are some shard's one live holder", () => {
    // a: the one copy of shard 0; b and c: two copies of shard 1; c also a copy of shard 2 with d
    const held = [['a'], ['b', 'c'], ['c', 'd'], ['e']]
    const { exclude } = pairedRoom(held, new Set(['b']), () => undefined, { spares: true })
    assert.deepEqual([...exclude].sort(), ['a', 'b', 'e'], 'c and d hold spares only; b is a suspect')
  })
})

describe('a repair in progress', () => {
  const taskOf = (id: string, kind: TaskRecord['kind'], state: TaskRecord['state'], fileIdHex: string) =>
    ({
      id,
      kind,
      state,
      priority: 0,
      created: 0,
      updated: 0,
      params: { fileIdHex, owner: '', slices: [0] },
      progress: { bytesDone: 0, slicesDone: 0, shardsDone: 0, rate: 0 }
    }) satisfies TaskRecord

  it('is a repair task not yet finished, named by its file, and shows in the file’s info', async () => {
    const ill = manifestOf(3, 2, 2)
    const well = manifestOf(3, 2, 1)
    const [illHex, wellHex] = [toHex(ill.fileId), toHex(well.fileId)]
    const tasks = [
      taskOf('t-done', 'repair', 'done', illHex),
      taskOf('t-queued', 'repair', 'queued', illHex),
      taskOf('t-running', 'repair', 'running', illHex),
      taskOf('t-again', 'repair', 'queued', illHex),
      taskOf('t-failed', 'repair', 'failed', wellHex),
      // A download of the well file is no repair of it.
      { ...taskOf('t-download', 'download', 'running', wellHex) }
    ]
    assert.deepEqual([...repairsInProgress(tasks)], [[illHex, { task: 't-running', state: 'running' }]])
    assert.deepEqual(
      [...repairsInProgress([taskOf('t-paused', 'repair', 'paused', wellHex)])],
      [[wellHex, { task: 't-paused', state: 'paused' }]]
    )
    // node.files reads the node's task list: the ill file says which repair is under way, the other nothing.
    const c = { keystore: { get: async () => undefined }, tasks: { list: () => tasks } } as never
    const illInfo = await fileInfo(c, illHex, ill)
    assert.deepEqual(illInfo.repair, { task: 't-running', state: 'running' })
    assert.equal(illInfo.fileId, illHex)
    const wellInfo = await fileInfo(c, wellHex, well)
    assert.equal('repair' in wellInfo, false)
  })
})
