import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { type PairEvents, verifyPairing } from '@defs/pairing'
import { idOf, mesh, mutual, type PairNode, partnerOf, startPairNode, waitFor } from './hosts.ts'

const started: PairNode[] = []
async function nodes(n: number, options = {}): Promise<PairNode[]> {
  const made = await Promise.all(Array.from({ length: n }, () => startPairNode(options)))
  started.push(...made)
  await mesh(made)
  return made
}
// Each test's nodes stop when it ends, so one test's heartbeats never load the next one.
afterEach(async () => {
  await Promise.allSettled(started.splice(0).map((n) => n.stop()))
})

function events<K extends keyof PairEvents>(node: PairNode, type: K): PairEvents[K][] {
  const seen: PairEvents[K][] = []
  node.pair.addEventListener(type, (e) => seen.push((e as CustomEvent).detail))
  return seen
}

describe('pair formation over /defs/pair/1.0.0', { timeout: 120_000 }, () => {
  it('pairWith: both sides hold one record, signed by both, epoch 1, saved', async () => {
    const [a, b] = await nodes(2, { autoPair: false })
    const pairing = await a!.pair.pairWith(b!.host.peerId)
    assert.equal(pairing.record.epoch, 1)
    assert.equal(partnerOf(a!), idOf(b!))
    assert.equal(partnerOf(b!), idOf(a!))
    const saved = await b!.store.load()
    assert.equal(saved?.epoch, 1)
    const check = await verifyPairing(saved!.pairing!, 'test')
    assert.deepEqual(check.record, pairing.record)
    // the other side answers a second offer of an existing pair with a refusal naming the pair
    await assert.rejects(a!.pair.pairWith(b!.host.peerId), { name: 'PairingRefusedError' })
  })

  it('six nodes with no partner form three mutual pairs by themselves', async () => {
    const six = await nodes(6)
    await waitFor(() => mutual(six), 'three pairs')
    assert.equal(new Set(six.map((n) => [idOf(n), partnerOf(n)].sort().join())).size, 3)
  })

  it("a node that pairs only with peers it knows refuses a stranger's offer, and accepts one it knows", async () => {
    const [a, b] = await nodes(2, { autoPair: false })
    const picky = await startPairNode({ autoPair: false, mayPair: (id: string) => id === idOf(a!) })
    started.push(picky)
    await mesh([a!, b!, picky])
    await assert.rejects(b!.pair.pairWith(picky.host.peerId), {
      name: 'PairingRefusedError',
      message: /pairs only with peers it knows/
    })
    assert.equal(partnerOf(picky), undefined)
    await a!.pair.pairWith(picky.host.peerId)
    assert.equal(partnerOf(picky), idOf(a!))
  })

  it('a race (two asking each other and a third asking one of them) settles on one pair per node', async () => {
    const [a, b, c] = await nodes(3, { autoPair: false })
    await Promise.allSettled([
      a!.pair.pairWith(b!.host.peerId),
      b!.pair.pairWith(a!.host.peerId),
      c!.pair.pairWith(b!.host.peerId)
    ])
    const all = [a!, b!, c!]
    const paired = all.filter((n) => partnerOf(n) !== undefined)
    assert.ok(paired.length === 2, `exactly one pair: ${all.map(partnerOf)}`)
    assert.ok(mutual(paired))
  })
})

describe('failure detection', { timeout: 180_000 }, () => {
  it('a partner that is gone is failed over after the timeout, witnessed, and the survivor re-pairs at a higher epoch', async () => {
    const [a, b, c, d, e] = await nodes(5, { autoPair: false })
    await a!.pair.pairWith(b!.host.peerId)
    await c!.pair.pairWith(d!.host.peerId)
    const unpaired = events(a!, 'unpair')
    const paired = events(a!, 'pair')
    for (const n of [a!, c!, d!, e!]) n.pair.options.autoPair = true
    await b!.stop()
    await waitFor(() => partnerOf(a!) === idOf(e!), 'a pairs with e', 20_000)
    assert.deepEqual(
      unpaired.map((u) => [u.partner, u.reason, u.epoch]),
      [[idOf(b!), 'failed', 1]]
    )
    assert.ok(a!.pair.pairing!.record.epoch > 1, 'the new pair has a higher epoch')
    assert.equal(paired.at(-1)?.previous, idOf(b!))
    // the side that answers an offer commits before the side that made it hears the answer, so
    // a may name e a moment before e names a
    await waitFor(() => mutual([a!, e!, c!, d!]), 'a and e, c and d mutual', 5_000)
  })

  it('a node that hears from nobody suspects itself, not its partner', async () => {
    const [a, b] = await nodes(4, { autoPair: false })
    await a!.pair.pairWith(b!.host.peerId)
    const unpaired = events(a!, 'unpair')
    a!.cut.add('*')
    await waitFor(() => a!.pair.status().health === 'isolated', 'a suspects itself', 10_000)
    assert.equal(partnerOf(a!), idOf(b!))
    assert.deepEqual(unpaired, [])
    a!.cut.clear()
    await waitFor(() => a!.pair.status().health === 'alive', 'a hears again')
    assert.equal(partnerOf(a!), idOf(b!))
  })

  it('a partition between the partners only, while others reach both, causes no failover', async () => {
    const [a, b] = await nodes(4, { autoPair: false })
    await a!.pair.pairWith(b!.host.peerId)
    const unpaired = [...events(a!, 'unpair'), ...events(b!, 'unpair')]
    a!.cut.add(idOf(b!))
    b!.cut.add(idOf(a!))
    const until = Date.now() + 3 * a!.pair.options.pairFailureTimeout
    let sawSuspect = false
    while (Date.now() < until) {
      sawSuspect ||= a!.pair.status().health === 'suspect'
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.ok(sawSuspect, 'a suspected b')
    assert.deepEqual(unpaired, [])
    assert.equal(partnerOf(a!), idOf(b!))
    assert.equal(partnerOf(b!), idOf(a!))
  })

  it('a flapping partner (silent for a few heartbeats, five times) is suspected, never failed over', async () => {
    const [a, b] = await nodes(4, { autoPair: false })
    await a!.pair.pairWith(b!.host.peerId)
    const unpaired = events(a!, 'unpair')
    for (let i = 0; i < 5; i++) {
      a!.cut.add(idOf(b!))
      await new Promise((r) => setTimeout(r, 500))
      a!.cut.clear()
      await new Promise((r) => setTimeout(r, 300))
    }
    assert.deepEqual(unpaired, [])
    assert.equal(partnerOf(a!), idOf(b!))
  })

  it('a restarted node whose partner moved on drops the old pair and pairs anew above its old epoch', async () => {
    const [a, b, c, d] = await nodes(4, { autoPair: false })
    await a!.pair.pairWith(b!.host.peerId)
    const { key, store } = b!
    await b!.stop()
    a!.pair.options.autoPair = true
    await waitFor(() => [idOf(c!), idOf(d!)].includes(partnerOf(a!) ?? ''), 'a re-pairs', 20_000)
    assert.ok(a!.pair.pairing!.record.epoch > 1, 'the new pair has a higher epoch')
    const free = partnerOf(a!) === idOf(c!) ? d! : c!
    const back = await startPairNode({ autoPair: true }, { key, store })
    started.push(back)
    assert.equal(partnerOf(back), idOf(a!), 'b comes back with its saved pair')
    const unpaired = events(back, 'unpair')
    await mesh([a!, back, c!, d!])
    await waitFor(
      () => partnerOf(back) === idOf(free),
      'b drops the old pair and pairs with the free node',
      20_000
    )
    assert.deepEqual(
      unpaired.map((u) => [u.partner, u.reason]),
      [[idOf(a!), 'replaced']]
    )
    assert.ok(back.pair.pairing!.record.epoch > 1, `new epoch ${back.pair.pairing!.record.epoch}`)
    assert.ok(mutual([a!, c!, back, d!]))
  })
})

describe('a partner in maintenance', { timeout: 180_000 }, () => {
  // The failure timeout is 1.5 s (hosts.ts); maintenance is waited for up to 6 s.
  const withMax = { autoPair: false, pairMaintenanceMax: 6000 }

  it('is not failed over while below the maximum, even with its process down, and is alive again when back', async () => {
    const [a, b] = await nodes(4, { ...withMax, pairMaintenanceMax: 60_000 })
    await a!.pair.pairWith(b!.host.peerId)
    const unpaired = events(a!, 'unpair')
    b!.lifecycle.state = 'maintenance'
    await waitFor(() => a!.pair.status().health === 'maintenance', 'a sees b in maintenance')
    // the upgrade takes b's process down, for three failure timeouts (its witnesses reach it not)
    const { key, store } = b!
    await b!.stop()
    await new Promise((r) => setTimeout(r, 3 * a!.pair.options.pairFailureTimeout))
    assert.equal(a!.pair.status().health, 'maintenance')
    assert.deepEqual(unpaired, [])
    const back = await startPairNode({ autoPair: false }, { key, store })
    started.push(back)
    await mesh([a!, back])
    await waitFor(() => a!.pair.status().health === 'alive', 'a hears b running again', 20_000)
    assert.deepEqual(unpaired, [])
    assert.equal(partnerOf(a!), idOf(back))
    assert.equal(partnerOf(back), idOf(a!))
    assert.equal(a!.pair.pairing!.record.epoch, 1, 'the same pair')
  })

  it('beyond the maximum, still in maintenance and heartbeating, is failed over and the survivor re-pairs', async () => {
    const [a, b, c, d] = await nodes(4, withMax)
    await a!.pair.pairWith(b!.host.peerId)
    const unpaired = events(a!, 'unpair')
    b!.lifecycle.state = 'maintenance'
    await waitFor(() => a!.pair.status().health === 'maintenance', 'a sees b in maintenance')
    // well past the failure timeout, well before the maximum: b answers, in maintenance
    await new Promise((r) => setTimeout(r, 2 * a!.pair.options.pairFailureTimeout))
    assert.equal(unpaired.length, 0)
    a!.pair.options.autoPair = true
    await waitFor(() => unpaired.length > 0, 'b failed over after the maximum', 20_000)
    assert.deepEqual(
      unpaired.map((u) => [u.partner, u.reason]),
      [[idOf(b!), 'failed']]
    )
    await waitFor(() => [idOf(c!), idOf(d!)].includes(partnerOf(a!) ?? ''), 'a re-pairs', 20_000)
    assert.ok(a!.pair.pairing!.record.epoch > 1)
    // b, still in maintenance, sees it was replaced and neither proposes nor accepts a new pair
    await waitFor(() => partnerOf(b!) === undefined, 'b drops the old pair')
    assert.equal(b!.pair.epoch, 1, 'b signed nothing above the old epoch')
  })

  it('beyond the maximum, with its process down, is failed over by the usual rule (witnessed)', async () => {
    const [a, b] = await nodes(4, withMax)
    await a!.pair.pairWith(b!.host.peerId)
    const unpaired = events(a!, 'unpair')
    b!.lifecycle.state = 'maintenance'
    await waitFor(() => a!.pair.status().health === 'maintenance', 'a sees b in maintenance')
    await b!.stop()
    await new Promise((r) => setTimeout(r, 2 * a!.pair.options.pairFailureTimeout))
    assert.equal(unpaired.length, 0, 'not failed over below the maximum')
    await waitFor(() => unpaired.length > 0, 'b failed over after the maximum', 20_000)
    assert.deepEqual(
      unpaired.map((u) => [u.partner, u.reason]),
      [[idOf(b!), 'failed']]
    )
  })

  it('a node in maintenance refuses an offer and proposes none; running again it pairs', async () => {
    const [a, b] = await nodes(2, { autoPair: false })
    b!.lifecycle.state = 'maintenance'
    await assert.rejects(a!.pair.pairWith(b!.host.peerId), {
      name: 'PairingRefusedError',
      message: /is maintenance: it pairs only when running/
    })
    b!.pair.options.autoPair = true
    await new Promise((r) => setTimeout(r, 10 * b!.pair.options.heartbeatInterval))
    assert.equal(partnerOf(a!), undefined)
    assert.equal(partnerOf(b!), undefined)
    b!.lifecycle.state = 'running'
    await waitFor(() => partnerOf(b!) === idOf(a!), 'b pairs once running')
  })
})
