import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type NodeFlags, nodeOptionsFromFlags, parseByteSize } from '../src/node-flags.ts'
import { checkNodeOptions } from '../src/node-flags-check.ts'

describe('node flags', () => {
  it('turns flags into node options', () => {
    assert.deepEqual(
      nodeOptionsFromFlags({
        port: '0',
        bootstrap: ['/ip4/127.0.0.1/tcp/1/p2p/A,/ip4/127.0.0.1/tcp/2/p2p/B'],
        mode: 'rs-proportion',
        'data-shards': '4',
        'parity-shards': '2',
        'max-storage': '1GiB',
        nat: 'relay-client, hole-punching,auto-nat',
        'mirror-interval': '5',
        'repair-check-interval': '90',
        'repair-bandwidth': '16MiB',
        'repair-audits': 'false',
        'lease-duration': '3600',
        'lease-grace': '0',
        'pair-failure-timeout': '45',
        'pair-maintenance-max': '900'
      }),
      {
        port: 0,
        bootstrap: ['/ip4/127.0.0.1/tcp/1/p2p/A', '/ip4/127.0.0.1/tcp/2/p2p/B'],
        storageMode: 'rs-proportion',
        dataShards: 4,
        parityShards: 2,
        maxStorage: 2 ** 30,
        nat: { relayClient: true, holePunching: true, autoNat: true },
        mirrorInterval: 5000,
        repairCheckInterval: 90_000,
        repairBandwidth: 16 * 2 ** 20,
        repairAudits: false,
        leaseDuration: 3_600_000,
        leaseGrace: 0,
        pairFailureTimeout: 45_000,
        pairMaintenanceMax: 900_000
      }
    )
    assert.deepEqual(nodeOptionsFromFlags({}), {})
  })

  it('names the flag and the value it refuses', () => {
    assert.throws(() => nodeOptionsFromFlags({ port: '70000' }), {
      name: 'FlagError',
      message: /--port .*70000/
    })
    assert.throws(() => nodeOptionsFromFlags({ 'data-shards': 'x' }), { message: /--data-shards/ })
    assert.throws(() => nodeOptionsFromFlags({ 'mirror-interval': '1m' }), {
      name: 'FlagError',
      message: /--mirror-interval .*1m/
    })
    const refused: [NodeFlags, RegExp][] = [
      [{ 'repair-check-interval': '0' }, /--repair-check-interval must be an integer in 1\.\.86400, got "0"/],
      [{ 'repair-bandwidth': 'fast' }, /--repair-bandwidth must be a size like/],
      [{ 'repair-audits': 'yes' }, /--repair-audits takes true or false, got "yes"/],
      [{ 'lease-duration': '1h' }, /--lease-duration must be an integer .*"1h"/],
      [{ 'lease-grace': '-5' }, /--lease-grace must be an integer in 0\.\./],
      [{ 'pair-failure-timeout': '2.5' }, /--pair-failure-timeout must be an integer/],
      [{ 'pair-maintenance-max': '' }, /--pair-maintenance-max must be an integer/]
    ]
    for (const [flags, message] of refused) {
      assert.throws(() => nodeOptionsFromFlags(flags), { name: 'FlagError', message })
    }
    assert.throws(() => nodeOptionsFromFlags({ nat: 'relay-client,upnp' }), {
      name: 'FlagError',
      message: /--nat takes relay-server, relay-client, hole-punching, auto-nat .*"upnp"/
    })
  })

  it('names the flag of a value only the node refuses (a failure timeout shorter than the suspicion)', () => {
    assert.throws(() => checkNodeOptions(nodeOptionsFromFlags({ 'pair-failure-timeout': '1' }), '/tmp/d'), {
      name: 'FlagError',
      message: /--pair-failure-timeout \(1000\) must not be shorter than pairSuspectAfter/
    })
    assert.throws(() => checkNodeOptions(nodeOptionsFromFlags({ 'repair-bandwidth': '1k' }), '/tmp/d'), {
      name: 'FlagError',
      message: /--repair-bandwidth must be an integer in 65536\.\./
    })
  })

  it('parses byte sizes with decimal and binary units', () => {
    assert.equal(parseByteSize('4096'), 4096)
    assert.equal(parseByteSize('64MiB'), 64 * 2 ** 20)
    assert.equal(parseByteSize('10 GB'), 10e9)
    assert.equal(parseByteSize('1.5k'), 1500)
    assert.throws(() => parseByteSize('ten'), { name: 'FlagError' })
    assert.throws(() => parseByteSize('5 parsecs'), { name: 'FlagError' })
  })
})
