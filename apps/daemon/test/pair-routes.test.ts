// The pair over the HTTP API: two real daemons (nodes on 127.0.0.1) pair when told to
// (`POST /v1/pair`), `GET /v1/pair` and /metrics show it on both; a daemon without pairing says so,
// and reads the pair's record from the DHT (`GET /v1/pair/:peer`).
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type Daemon, startDaemon } from '../src/daemon.ts'

const pairing = { heartbeatInterval: 200, pairSuspectAfter: 600, pairFailureTimeout: 3000, autoPair: false }

describe('GET and POST /v1/pair', () => {
  let dir: string
  const daemons: Daemon[] = []
  // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, checked field by field
  const api = async (d: Daemon, path: string, body?: object): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${d.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${d.token}` },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {})
    })
    const text = await res.text()
    return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) : text }
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'defs-pair-api-'))
    for (const name of ['a', 'b']) {
      daemons.push(
        await startDaemon({ dir: join(dir, name), port: 0, node: { port: 0, workerNum: 1 }, pairing })
      )
    }
    daemons.push(await startDaemon({ dir: join(dir, 'plain'), port: 0, node: { port: 0, workerNum: 1 } }))
  })
  after(async () => {
    await Promise.allSettled(daemons.map((d) => d.stop()))
    await rm(dir, { recursive: true, force: true })
  })

  it('pairs two nodes on request and reports the pair on both, in JSON and in /metrics', async () => {
    const [a, b, plain] = daemons as [Daemon, Daemon, Daemon]
    const sa = (await api(a, '/v1/status')).json
    const sb = (await api(b, '/v1/status')).json
    assert.deepEqual((await api(a, '/v1/pair')).json, {
      enabled: true,
      epoch: 0,
      health: 'unpaired',
      phi: 0,
      backlog: { shards: 0, bytes: 0 },
      migrations: []
    })
    assert.equal((await api(a, '/v1/peers', { address: sb.addresses[0] })).status, 200)
    // a partner holds a copy of everything: a node pairs only with peers it trusts or knows
    const stranger = await api(a, '/v1/pair', { with: sb.peerId })
    assert.equal(stranger.status, 409)
    assert.match(stranger.json.error.message, /pairs only with peers it knows/)
    assert.equal((await api(b, '/v1/peers/trust', { peerId: sa.peerId })).status, 200)
    const formed = await api(a, '/v1/pair', { with: sb.peerId })
    assert.equal(formed.status, 200, JSON.stringify(formed.json))
    // the refused offer used up epoch 1 (a node never signs one epoch twice)
    assert.deepEqual(formed.json, { partner: sb.peerId, epoch: 2 })
    const onB = (await api(b, '/v1/pair')).json
    assert.equal(onB.partner, sa.peerId)
    assert.equal(onB.epoch, 2)
    assert.equal(onB.enabled, true)
    const metrics = (await api(b, '/metrics')).json as string
    assert.match(metrics, /defs_pair_epoch 2/)
    assert.match(metrics, /defs_pair_state\{health="alive"\} 1/)
    assert.match(metrics, /defs_pair_acknowledged_total\{copies="2"\} 0/)
    // a file a stores itself: every shard of it on a is mirrored to b and acknowledged with 2 copies
    // (one shard of a slice per pair: the other goes to plain)
    const sp = (await api(plain, '/v1/status')).json
    assert.equal((await api(a, '/v1/peers', { address: sp.addresses[0] })).status, 200)
    assert.equal((await api(a, '/v1/peers/trust', { peerId: sp.peerId })).status, 200)
    const source = join(dir, 'paired.bin')
    await writeFile(source, randomBytes(300_000))
    const put = await a.node.files.put(source, { mode: 'file', dataShards: 1, parityShards: 1 })
    const onA = put.placement.flatMap((sl) => sl.shards).filter((x) => x.peerId === sa.peerId).length
    assert.ok(onA > 0, 'a holds a copy of its file')
    const acked = (await api(a, '/metrics')).json as string
    assert.match(acked, new RegExp(`defs_pair_acknowledged_total\\{copies="2"\\} ${onA}\\b`))
    assert.match(acked, /defs_pair_acknowledged_total\{copies="1"\} 0/)
    // both copies acknowledged: the partner lacks nothing
    assert.match(acked, /defs_pair_sync_backlog\{unit="shards"\} 0/)
    assert.match(acked, /^defs_pair_migrations \d+$/m)
    assert.deepEqual((await api(a, '/v1/pair')).json.backlog, { shards: 0, bytes: 0 })
    const again = await api(a, '/v1/pair', { with: sb.peerId })
    assert.equal(again.status, 409)
    assert.equal(again.json.error.name, 'PairingRefusedError')
    assert.deepEqual((await api(plain, '/v1/pair')).json, { enabled: false })
    assert.equal((await api(plain, '/v1/pair', { with: sa.peerId })).status, 409)
    assert.equal((await api(a, '/v1/pair', { with: 'nobody' })).status, 400)
    // any node, one without pairing too, reads the pair's record from the DHT, checked
    let record: Awaited<ReturnType<typeof api>> | undefined
    for (let tries = 0; tries < 60; tries++) {
      record = await api(plain, `/v1/pair/${sa.peerId}`)
      if (record.status !== 200 || record.json.found === true) break
      await new Promise((r) => setTimeout(r, 500))
    }
    assert.equal(record?.status, 200, JSON.stringify(record?.json))
    assert.equal(record?.json.found, true, "a's pairing record published")
    assert.equal(record?.json.partner, sb.peerId)
    assert.equal(record?.json.epoch, 2)
    const ofB = (await api(a, `/v1/pair/${sb.peerId}`)).json
    assert.equal(ofB.partner, sa.peerId)
    assert.deepEqual((await api(a, `/v1/pair/${sp.peerId}`)).json, { peer: sp.peerId, found: false })
    assert.equal((await api(a, '/v1/pair/nobody')).status, 400)
  })
})
