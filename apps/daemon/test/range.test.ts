import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { contentRange, parseRange } from '../src/http/range.ts'

describe('parseRange', () => {
  it('reads the three single-range forms', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'partial', offset: 0, length: 10 })
    assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'partial', offset: 90, length: 10 })
    assert.deepEqual(parseRange('bytes=-5', 100), { kind: 'partial', offset: 95, length: 5 })
  })

  it('clamps an end past the file and a suffix longer than it', () => {
    assert.deepEqual(parseRange('bytes=50-500', 100), { kind: 'partial', offset: 50, length: 50 })
    assert.deepEqual(parseRange('bytes=-500', 100), { kind: 'partial', offset: 0, length: 100 })
  })

  it('is unsatisfiable from the end of the file on, and for an empty suffix or file', () => {
    assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' })
    assert.deepEqual(parseRange('bytes=100-200', 100), { kind: 'unsatisfiable' })
    assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' })
    assert.deepEqual(parseRange('bytes=-1', 0), { kind: 'unsatisfiable' })
  })

  it('ignores what it does not serve: no header, other units, several ranges, end before start', () => {
    for (const header of [undefined, 'items=0-1', 'bytes=0-1,5-6', 'bytes=9-3', 'bytes=-', 'nonsense']) {
      assert.deepEqual(parseRange(header, 100), { kind: 'whole' }, String(header))
    }
  })

  it('formats Content-Range', () => {
    assert.equal(contentRange(0, 10, 100), 'bytes 0-9/100')
  })
})
