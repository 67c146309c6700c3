// /metrics counts what the node's repair service reports: audits by result, slices and shards
// repaired (a slice whose shards another repairer had placed counts for nothing), read reports.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { RepairEvents } from '@defs/node'
import { TypedEventEmitter } from 'main-event'
import { DaemonMetrics } from '../src/metrics.ts'

describe('repair metrics', () => {
  it('count audits by result, repaired slices and shards, and reports', async () => {
    const metrics = new DaemonMetrics()
    const repair = new TypedEventEmitter<RepairEvents>()
    metrics.watchRepair(repair)
    const audit = { peer: 'p', fileIdHex: 'f', shard: 's' }
    repair.safeDispatchEvent('audit', { detail: { ...audit, result: 'pass' } })
    repair.safeDispatchEvent('audit', { detail: { ...audit, result: 'fail', reason: 'wrong digest' } })
    repair.safeDispatchEvent('audit', { detail: { ...audit, result: 'pass' } })
    const slice = { fileIdHex: 'f', slice: 0, placedByOthers: [] }
    repair.safeDispatchEvent('repaired', { detail: { ...slice, placed: [1, 3], holders: [['a'], ['b']] } })
    repair.safeDispatchEvent('repaired', { detail: { ...slice, placed: [], holders: [] } })
    repair.safeDispatchEvent('report', { detail: { fileIdHex: 'f', slice: 2, from: 'r' } })
    const text = await metrics.text()
    assert.match(text, /^defs_audits_total\{result="pass"\} 2$/m)
    assert.match(text, /^defs_audits_total\{result="fail"\} 1$/m)
    assert.match(text, /^defs_audits_total\{result="contained"\} 0$/m)
    assert.match(text, /^defs_repaired_slices_total 1$/m)
    assert.match(text, /^defs_repaired_shards_total 2$/m)
    assert.match(text, /^defs_repair_reports_total 1$/m)
  })
})
