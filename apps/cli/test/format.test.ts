import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseRangeFlag } from '../src/download.ts'
import { formatBytes, formatDuration, formatRate, shortId, table } from '../src/format.ts'

describe('format', () => {
  it('writes sizes in binary units', () => {
    assert.equal(formatBytes(0), '0 B')
    assert.equal(formatBytes(1023), '1023 B')
    assert.equal(formatBytes(64 * 2 ** 20), '64.0 MiB')
    assert.equal(formatBytes(1.5 * 2 ** 30), '1.5 GiB')
    assert.equal(formatRate(2 ** 20), '1.0 MiB/s')
  })

  it('writes durations for people', () => {
    assert.equal(formatDuration(850), '850 ms')
    assert.equal(formatDuration(12_340), '12.3 s')
    assert.equal(formatDuration(125_000), '2m05s')
  })

  it('shortens long ids and aligns tables', () => {
    assert.equal(shortId('12D3KooWAbcdefghijklmnop', 4), '12D3…mnop')
    assert.equal(shortId('short', 4), 'short')
    assert.equal(
      table(
        ['A', 'LONGER'],
        [
          ['xyz', '1'],
          ['w', '22']
        ]
      ),
      'A    LONGER\nxyz  1\nw    22'
    )
  })

  it('reads --range START-END and START-', () => {
    assert.deepEqual(parseRangeFlag('100-199'), { offset: 100, length: 100 })
    assert.deepEqual(parseRangeFlag('5-'), { offset: 5 })
    assert.throws(() => parseRangeFlag('9-3'), { name: 'UserError', message: /before its start/ })
    assert.throws(() => parseRangeFlag('-5'), { name: 'UserError', message: /START-END/ })
  })
})
