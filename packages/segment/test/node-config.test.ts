import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CONFIG_SCHEMA_VERSION,
  ConfigError,
  DecodeError,
  decodeNodeConfig,
  decodeOlderNodeConfig,
  encodeNodeConfig,
  migrateConfig,
  type NodeConfig,
  UnknownVersionError
} from '@defs/segment'
import { decode, encode } from 'cborg'

const MiB = 1024 * 1024

const current: NodeConfig = {
  schemaVersion: 2,
  storageMode: 'auto',
  dataShards: 10,
  parityShards: 4,
  maxSliceSize: 64 * MiB,
  minSliceSize: 1 * MiB,
  shardSize: 1 * MiB,
  port: 4001,
  bootstrap: ['/ip4/10.0.0.1/tcp/4001/p2p/12D3KooWabc', '/dns4/seed.example/tcp/4001'],
  maxConnections: 300,
  dialTimeout: 10_000,
  dataDir: '/var/lib/defs',
  logDir: '/var/lib/defs/logs',
  workerNum: 2,
  bufferSize: 64 * MiB,
  maxStorage: 10 * 1024 * MiB
}

const tuning = {
  probationMs: 60_000,
  mirrorInterval: 5000,
  repairCheckInterval: 90_000,
  repairBandwidth: 8 * MiB,
  repairAudits: false,
  leaseDuration: 3_600_000,
  leaseGrace: 0,
  pairFailureTimeout: 45_000,
  pairMaintenanceMax: 900_000
}

describe('node config', () => {
  it('round-trips through CBOR and through JSON', () => {
    assert.equal(CONFIG_SCHEMA_VERSION, 2)
    assert.deepEqual(decodeNodeConfig(encodeNodeConfig(current)), current)
    assert.deepEqual(migrateConfig(JSON.parse(JSON.stringify(current))), current)
  })

  it('keeps the tuning (probation, mirror interval, the services options) and refuses it out of range', () => {
    const tuned: NodeConfig = { ...current, ...tuning }
    assert.deepEqual(decodeNodeConfig(encodeNodeConfig(tuned)), tuned)
    assert.deepEqual(migrateConfig(JSON.parse(JSON.stringify(tuned))), tuned)
    const bad: [Partial<NodeConfig>, RegExp][] = [
      [{ repairCheckInterval: 10 }, /nodeConfig\.tuning\.repairCheckInterval/],
      [{ repairBandwidth: 1024 }, /nodeConfig\.tuning\.repairBandwidth/],
      [{ leaseDuration: 2 * 365 * 24 * 3600_000 }, /nodeConfig\.tuning\.leaseDuration/],
      [{ mirrorInterval: 2 * 24 * 3600_000 }, /nodeConfig\.tuning\.mirrorInterval/],
      [{ pairFailureTimeout: 0 }, /nodeConfig\.tuning\.pairFailureTimeout/],
      [{ repairAudits: 'no' as unknown as boolean }, /nodeConfig\.tuning\.repairAudits/]
    ]
    for (const [change, message] of bad) {
      assert.throws(() => encodeNodeConfig({ ...current, ...change }), message)
      assert.throws(() => migrateConfig({ ...current, ...change }), message)
    }
    // the record is the bytes' layout, not an option
    assert.throws(() => encodeNodeConfig({ ...current, tuning: {} } as NodeConfig), /tuning is not a field/)
  })

  it('reads a schema 1 config (probationMs under key 23) and migrates it', () => {
    const wire = decode(encodeNodeConfig(current), { useMaps: true }) as Map<number, unknown>
    wire.set(0, 1)
    wire.set(23, 600_000)
    const v1 = encode(wire)
    assert.throws(() => decodeNodeConfig(v1), UnknownVersionError)
    assert.deepEqual(decodeOlderNodeConfig(v1), { config: { ...current, probationMs: 600_000 }, version: 1 })
    // a newer config is of no older schema either
    wire.set(0, 3)
    assert.throws(() => decodeOlderNodeConfig(encode(wire)), UnknownVersionError)
  })

  it('migrates the unversioned layout (comma-separated bootstrap, dialTimeout in seconds)', () => {
    const { schemaVersion: _, ...old } = current
    const legacy = { ...old, bootstrap: current.bootstrap.join(','), dialTimeout: 10 }
    assert.deepEqual(migrateConfig(legacy), current)
    assert.deepEqual(migrateConfig({ ...legacy, schemaVersion: 0, bootstrap: '' }), {
      ...current,
      bootstrap: []
    })
  })

  it('refuses a newer schema version, unknown options and bad values, naming the option', () => {
    assert.throws(() => migrateConfig({ ...current, schemaVersion: 3 }), UnknownVersionError)
    assert.throws(
      () => migrateConfig({ ...current, colour: 'blue' }),
      (e: Error) => e instanceof ConfigError && /colour/.test(e.message)
    )
    const bad: [Partial<Record<keyof NodeConfig, unknown>>, RegExp][] = [
      [{ port: 70000 }, /port/],
      [{ storageMode: 'fast' }, /storageMode/],
      [{ dataShards: 0 }, /dataShards/],
      [{ bootstrap: ['127.0.0.1:4001'] }, /bootstrap\[0\] must be a multiaddr/],
      [{ dataDir: '' }, /dataDir/],
      [{ minSliceSize: 128 * MiB }, /minSliceSize/],
      [{ workerNum: 2.5 }, /workerNum/],
      [{ maxStorage: undefined }, /maxStorage is missing/]
    ]
    for (const [change, message] of bad) {
      assert.throws(
        () => migrateConfig({ ...current, ...change }),
        (e: Error) => e instanceof DecodeError && message.test(e.message)
      )
    }
    for (const input of [null, 'config', [current], 3]) assert.throws(() => migrateConfig(input), ConfigError)
    assert.throws(() => migrateConfig({ ...current, schemaVersion: 'one' }), ConfigError)
  })

  it('does not hand back the caller objects', () => {
    const input = structuredClone(current)
    const out = migrateConfig(input)
    input.bootstrap.push('/ip4/1.2.3.4/tcp/1')
    assert.equal(out.bootstrap.length, 2)
  })
})
