import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidOptionError } from '../src/errors.ts'
import { DEFAULT_MIRROR_INTERVAL_MS } from '../src/mirror/mirror-service.ts'
import { resolveNodeOptions } from '../src/options.ts'

describe('resolveNodeOptions', () => {
  it('fills safe defaults', () => {
    const o = resolveNodeOptions({ dataDir: '/tmp/n1' })
    assert.equal(o.storageMode, 'auto')
    assert.equal(o.dataShards, 10)
    assert.equal(o.parityShards, 4)
    assert.equal(o.maxSliceSize, 64 * 1024 * 1024)
    assert.equal(o.minSliceSize, 1024 * 1024)
    assert.equal(o.logDir, '/tmp/n1/logs')
    assert.ok(o.workerNum >= 1)
    // The mirror's own default: one constant, not a second copy of it here.
    assert.equal(o.mirrorInterval, DEFAULT_MIRROR_INTERVAL_MS)
    assert.equal(DEFAULT_MIRROR_INTERVAL_MS, 60_000)
  })

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['dataDir', {}, /option dataDir must be a directory path/],
    ['storageMode', { storageMode: 'raid5' }, /option storageMode must be one of auto, file/],
    ['dataShards', { dataShards: 0 }, /option dataShards must be an integer in 1..100, got 0/],
    ['parityShards', { parityShards: 101 }, /option parityShards must be an integer in 1..100, got 101/],
    ['dataShards', { dataShards: 2.5 }, /got 2.5/],
    [
      'minSliceSize',
      { minSliceSize: 8 << 20, maxSliceSize: 4 << 20 },
      /minSliceSize must be <= maxSliceSize/
    ],
    ['port', { port: 70000 }, /option port must be an integer in 0..65535/],
    ['bootstrap', { bootstrap: ['localhost:4001'] }, /option bootstrap must be a list of multiaddrs/],
    ['dialTimeout', { dialTimeout: '5s' }, /option dialTimeout must be an integer/],
    ['maxStorage', { maxStorage: -1 }, /option maxStorage must be an integer/],
    [
      'mirrorInterval',
      { mirrorInterval: -1 },
      /option mirrorInterval must be an integer in 0..86400000, got -1/
    ],
    ['mirrorInterval', { mirrorInterval: '60s' }, /option mirrorInterval must be an integer/],
    ['nat', { nat: { relay: true } }, /option nat must be an object of booleans relayServer, relayClient/],
    // the built-in services' options, checked by their services' own rules
    [
      'repairCheckInterval',
      { repairCheckInterval: 50 },
      /option repairCheckInterval must be an integer in 100\.\./
    ],
    ['repairBandwidth', { repairBandwidth: 1000 }, /option repairBandwidth must be an integer in 65536\.\./],
    ['repairAudits', { repairAudits: 'yes' }, /option repairAudits must be true or false, got "yes"/],
    ['leaseDuration', { leaseDuration: 10 }, /option leaseDuration must be an integer in 400\.\./],
    ['leaseGrace', { leaseGrace: -1 }, /option leaseGrace must be an integer in 0\.\./],
    ['pairFailureTimeout', { pairFailureTimeout: 1.5 }, /option pairFailureTimeout must be an integer >= 1/],
    // not shorter than the default suspicion (3 s)
    [
      'pairFailureTimeout',
      { pairFailureTimeout: 1000 },
      /option pairFailureTimeout \(1000\) must not be shorter than pairSuspectAfter/
    ],
    [
      'pairMaintenanceMax',
      { pairFailureTimeout: 60_000, pairMaintenanceMax: 40_000 },
      /option pairMaintenanceMax \(40000\) must not be shorter than pairFailureTimeout \(60000\)/
    ]
  ]
  for (const [name, extra, message] of bad) {
    it(`names ${name} when it is wrong (${JSON.stringify(extra)})`, () => {
      assert.throws(
        () =>
          resolveNodeOptions({
            dataDir: name === 'dataDir' ? (undefined as unknown as string) : '/tmp/n',
            ...extra
          }),
        (err: Error) => err instanceof InvalidOptionError && err.option === name && message.test(err.message)
      )
    })
  }

  it('keeps the service options given and leaves the others unset (their services decide)', () => {
    const o = resolveNodeOptions({ dataDir: '/d', leaseDuration: 60_000, repairAudits: false })
    assert.equal(o.leaseDuration, 60_000)
    assert.equal(o.repairAudits, false)
    assert.equal('repairCheckInterval' in o, false)
    assert.equal('pairFailureTimeout' in o, false)
  })

  it('accepts the largest code, 100 + 100', () => {
    const o = resolveNodeOptions({ dataDir: '/d', dataShards: 100, parityShards: 100 })
    assert.equal(o.dataShards + o.parityShards, 200)
  })
})

describe('options against the protocol', () => {
  it('caps slices so that a file-mode slice (one shard, plus its tag) fits a peer', async () => {
    const { defaultShardLimits } = await import('@defs/net')
    const { MAX_SLICE_SIZE } = await import('../src/options.ts')
    assert.ok(MAX_SLICE_SIZE + 16 <= defaultShardLimits.maxShardSize)
    assert.throws(
      () => resolveNodeOptions({ dataDir: '/d', maxSliceSize: MAX_SLICE_SIZE + 1 }),
      (err: Error) => err instanceof InvalidOptionError && err.option === 'maxSliceSize'
    )
  })

  it('refuses a key that is not an option, and suggests the one meant', () => {
    assert.throws(
      () => resolveNodeOptions({ dataDir: '/d', dataShard: 4 } as never),
      (err: Error) =>
        err instanceof InvalidOptionError &&
        err.option === 'dataShard' &&
        /option dataShard is not an option; did you mean dataShards\?/.test(err.message)
    )
  })
})
