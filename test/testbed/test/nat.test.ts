// A host behind a NAT (nftables masquerade, no inbound port) stores and serves shards through a
// circuit relay. Host 1 is the relay, host 3 is behind the NAT; hosts 2 and 4 reach host 3 only
// through host 1. Code 3+1 over four hosts: every host holds one shard of the slice, so once the
// writer is killed the reader needs host 3's shard, which can come only over the relay.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createTestbed, p2pPort, type Testbed, type TestbedHost, testbedSkip } from '../src/index.ts'
import { scratch } from './fixtures.ts'

const flags: Record<number, string[]> = {
  1: ['--nat', 'relay-server'],
  2: ['--nat', 'relay-client'],
  3: ['--nat', 'relay-client,hole-punching,auto-nat'],
  4: ['--nat', 'relay-client']
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000} s`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** The remote addresses of `from`'s connections to `to`, once it has any. */
function connectionsTo(from: TestbedHost, to: TestbedHost): Promise<string[]> {
  return until(`${from.name} connected to ${to.name}`, 20_000, async () => {
    const peer = (await from.peers()).find((p) => p.peerId === to.peerId)
    return peer !== undefined && peer.addresses.length > 0 ? peer.addresses : undefined
  })
}

describe('testbed NAT: a host behind a NAT stores and serves shards through a relay', {
  skip: testbedSkip()
}, () => {
  let tb: Testbed
  let files: Awaited<ReturnType<typeof scratch>>
  before(async () => {
    files = await scratch()
    tb = await createTestbed({
      hosts: 4,
      nat: [3],
      node: { storageMode: 'rs-proportion', dataShards: 3, parityShards: 1 },
      flags: (i) => flags[i]!,
      mesh: false
    })
  })
  after(async () => {
    await tb?.teardown()
    await files?.remove()
  })

  it('has no inbound port: the NATed host cannot be dialled, directly or at its NAT', async () => {
    const [relay, writer, natted] = [tb.host(1), tb.host(2), tb.host(3)]
    await until('host 3 holds a relay reservation', 30_000, async () =>
      (await natted.status()).addresses.some((a) => a.includes('/p2p-circuit')) ? true : undefined
    )
    const failed = await writer.connect([
      `/ip4/${natted.listenAddress}/tcp/${p2pPort}/p2p/${natted.peerId}`,
      `/ip4/${natted.address}/tcp/${p2pPort}/p2p/${natted.peerId}`
    ])
    assert.equal(failed.length, 2, `dials that should have failed: ${failed.length} failed`)
    assert.ok((await relay.peers()).some((p) => p.peerId === natted.peerId))
  })

  it('stores a shard on the NATed host and reads it back from there, through the relay', async () => {
    const [relay, writer, natted, reader] = [tb.host(1), tb.host(2), tb.host(3), tb.host(4)]
    const circuit = `${relay.multiaddr()}/p2p-circuit/p2p/${natted.peerId}`
    // Host 3 would dial out to answer an index query (its NAT lets it): cut those direct paths so
    // that everything between host 3 and hosts 2 and 4 has to pass the relay.
    await tb.partition(natted, writer)
    await tb.partition(natted, reader)
    assert.deepEqual(await writer.connect([circuit, reader.multiaddr()]), [])
    assert.deepEqual(await reader.connect([circuit]), [])
    for (const from of [writer, reader])
      assert.ok(
        (await connectionsTo(from, natted)).every((a) => a.includes('/p2p-circuit')),
        `${from.name} reaches host 3 only through the relay`
      )

    const put = await tb.put(writer, await files.file('small.bin', 24 * 1024))
    const holders = (put.result.placement as { shards: { peerId: string }[] }[])[0]!.shards.map(
      (s) => s.peerId
    )
    assert.ok(holders.includes(natted.peerId!), `host 3 holds a shard (holders: ${holders.join(', ')})`)
    assert.ok((await natted.status()).storedShards >= 1)

    // The manifest is kept by the writer (and the DHT, once its announce is done): a first read
    // while the writer runs leaves a copy on the reader. Without the writer, the reader's 3
    // shards are then its own, the relay's and host 3's.
    const first = await reader.cli(['cat', put.capability], { hashStdout: true })
    assert.equal(first.sha256, put.sha256, first.stderr)
    await writer.kill()
    const got = await reader.cli(['cat', put.capability], { hashStdout: true })
    assert.equal(got.code, 0, got.stderr)
    assert.equal(got.sha256, put.sha256, got.stderr)
    // The last read sometimes finds host 3 unreachable for a moment ("have 2 shards, need 3",
    // seen in CI) while the reader's relayed connection to it is set up again: read again,
    // bounded. A file that stays unreadable fails the test.
    const verified = await until('the ledger to read back', 30_000, () =>
      tb.ledger.verify([reader]).catch(() => undefined)
    )
    assert.deepEqual(verified, { checked: 1, bytes: put.size })
    const after = await connectionsTo(reader, natted)
    assert.ok(
      after.every((a) => a.includes('/p2p-circuit')),
      after.join(', ')
    )
  })

  it('goes direct where the NAT allows it: from inside, not by DCUtR hole punching', async () => {
    const [natted, reader] = [tb.host(3), tb.host(4)]
    await tb.heal()
    // DCUtR only dials addresses libp2p counts as public, and 198.18.0.0/15 (the benchmark range
    // every testbed address must come from) is on its private list: no address of either side
    // qualifies, so DCUtR never upgrades a relayed connection in this testbed. (js-libp2p's TCP
    // also dials from a fresh port, so a punched hole would not match the listening port.)
    assert.equal(isPrivate(multiaddr(`/ip4/${reader.address}/tcp/${p2pPort}`)), true)
    assert.equal(isPrivate(multiaddr(`/ip4/${natted.address}/tcp/${p2pPort}`)), true)
    // What the NAT allows is a connection opened from inside: host 3 dials host 4, and host 4
    // sees it come from the NAT's address (it could not dial in, see the first test).
    // Retried: right after the heal a first dial was seen closed while opening (host 3's own
    // retried dials reach host 4 at the same moment).
    const direct = await until('a direct connection from host 3', 15_000, async () => {
      await natted.connect([reader.multiaddr()])
      const addrs = await connectionsTo(reader, natted)
      return addrs.some((a) => !a.includes('/p2p-circuit')) ? addrs : undefined
    })
    const inside = direct.find((a) => !a.includes('/p2p-circuit'))!
    assert.ok(inside.startsWith(`/ip4/${natted.address}/tcp/`), `${inside} comes from the NAT's address`)
  })
})
