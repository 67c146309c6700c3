import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PairingOptionError, pairingDefaults, resolvePairingOptions } from '@defs/pairing'

describe('pairing options', () => {
  it('default to a 1 s heartbeat, suspicion after 3 s, failover after 30 s, phi 8, two witnesses, maintenance waited for 30 min, migration at 32 MiB/s', () => {
    const o = resolvePairingOptions()
    assert.deepEqual(
      [
        o.heartbeatInterval,
        o.pairSuspectAfter,
        o.pairFailureTimeout,
        o.phiThreshold,
        o.minStdDeviation,
        o.witnesses,
        o.pairMaintenanceMax,
        o.pairMigrationBandwidth
      ],
      [1000, 3000, 30_000, 8, 100, 2, 1_800_000, 32 * 2 ** 20]
    )
    assert.deepEqual(resolvePairingOptions({ heartbeatInterval: undefined }), pairingDefaults)
  })

  it('refuse bad values, naming the option and the value', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ heartbeatInterval: 0 }, /heartbeatInterval must be an integer >= 10 \(ms\), got 0/],
      [{ pairFailureTimeout: 1.5 }, /pairFailureTimeout must be an integer/],
      [{ pairMaintenanceMax: -1 }, /pairMaintenanceMax must be an integer >= 1 \(ms\), got -1/],
      [
        { pairFailureTimeout: 30_000, pairMaintenanceMax: 20_000 },
        /pairMaintenanceMax \(20000\) must not be shorter than pairFailureTimeout \(30000\)/
      ],
      [{ witnesses: 0 }, /witnesses must be an integer >= 1/],
      [
        { pairMigrationBandwidth: 1000 },
        /pairMigrationBandwidth must be an integer >= 65536 \(bytes per second\), got 1000/
      ],
      [{ phiThreshold: Number.NaN }, /phiThreshold must be a finite number > 0, got NaN/],
      [{ autoPair: 'yes' }, /autoPair must be true or false, got yes/],
      [
        { heartbeatInterval: 1000, pairSuspectAfter: 1000 },
        /pairSuspectAfter \(1000\) must be longer than heartbeatInterval \(1000\)/
      ],
      [
        { pairSuspectAfter: 5000, pairFailureTimeout: 4000 },
        /pairFailureTimeout \(4000\) must not be shorter than pairSuspectAfter \(5000\)/
      ]
    ]
    for (const [options, message] of bad) {
      assert.throws(
        () => resolvePairingOptions(options),
        (err: Error) =>
          err instanceof PairingOptionError && err.name === 'PairingOptionError' && message.test(err.message)
      )
    }
  })
})
