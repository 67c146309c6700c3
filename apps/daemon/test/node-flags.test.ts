import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  flagValueOf,
  type NodeFlags,
  nodeOptionsFromFlags,
  optionsInSeconds,
  parseByteSize
} from '../src/node-flags.ts'
import { checkNodeOptions, optionFlags } from '../src/node-flags-check.ts'

describe('node flags', () => {
  it('shows every option as its flag takes it: what a flag parses to shows back as the flag value', () => {
    for (const [option, flag] of Object.entries(optionFlags)) {
      if (!optionsInSeconds.has(option)) continue
      const parsed = nodeOptionsFromFlags({ [flag.slice(2)]: '7' } as NodeFlags) as Record<string, unknown>
      assert.equal(parsed[option], 7000, `${flag} 7 is 7 s`)
      assert.equal(flagValueOf(option, parsed[option]), 7, `${flag} shows 7`)
    }
    // and no flag that turns seconds into milliseconds is missing from the set
    for (const [option, flag] of Object.entries(optionFlags)) {
      let parsed: Record<string, unknown>
      try {
        parsed = nodeOptionsFromFlags({ [flag.slice(2)]: '7' } as NodeFlags) as Record<string, unknown>
      } catch {
        continue // a flag that takes no number
      }
      if (parsed[option] === 7000) assert.ok(optionsInSeconds.has(option), `${option} is shown in seconds`)
      else assert.equal(flagValueOf(option, parsed[option]), parsed[option], `${option} shows as stored`)
    }
  })

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
        'pair-maintenance-max': '900',
        'pair-migration-bandwidth': '8MiB'
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
        pairMaintenanceMax: 900_000,
        pairMigrationBandwidth: 8 * 2 ** 20
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
      [{ 'pair-migration-bandwidth': '1 fast' }, /--pair-migration-bandwidth must be a size like/],
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
    assert.throws(
      () => checkNodeOptions(nodeOptionsFromFlags({ 'pair-migration-bandwidth': '1k' }), '/tmp/d'),
      {
        name: 'FlagError',
        message: /--pair-migration-bandwidth must be an integer >= 65536 \(bytes per second\), got 1000/
      }
    )
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
