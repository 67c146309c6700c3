import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { stripVTControlCharacters } from 'node:util'
import { ProgressBar } from '../src/progress-bar.ts'

function sink(isTTY: boolean) {
  const writes: string[] = []
  return { isTTY, columns: 100, writes, write: (t: string) => writes.push(t) }
}

describe('ProgressBar', () => {
  it('draws bytes, percent, rate and ETA on one line of a terminal', () => {
    let now = 0
    const out = sink(true)
    const bar = new ProgressBar('put big.bin', 100 * 2 ** 20, out, () => now)
    now = 1000
    bar.update(10 * 2 ** 20)
    now = 2000
    bar.update(20 * 2 ** 20)
    const last = out.writes.at(-1)!
    assert.ok(last.endsWith('\x1b[K'), 'the rest of the line is cleared')
    assert.match(
      last,
      /^\rput big\.bin {2}\[#+\.+\] {2}20% {2}20\.0 MiB \/ 100\.0 MiB {2}10\.0 MiB\/s {2}ETA 8\.0 s/
    )
    bar.finish()
    assert.equal(out.writes.at(-1), '\r\x1b[K')
  })

  it('writes nothing when stderr is not a terminal', () => {
    const out = sink(false)
    const bar = new ProgressBar('get', 10, out)
    bar.update(5)
    bar.finish()
    assert.deepEqual(out.writes, [])
    assert.equal(bar.active, false)
  })

  it('draws at most ten frames a second and never moves backwards', () => {
    let now = 0
    const out = sink(true)
    const bar = new ProgressBar('x', 1000, out, () => now)
    for (let i = 1; i <= 50; i++) {
      now = i * 10
      bar.update(i * 10)
    }
    assert.equal(out.writes.length, 5)
    bar.update(100)
    assert.match(bar.line(), /500 B \/ 1000 B/)
  })

  it('shows bytes without a bar when the total is unknown', () => {
    const bar = new ProgressBar('stdin', undefined, sink(true), () => 0)
    bar.update(2048)
    assert.doesNotMatch(bar.line(), /%|ETA/)
    assert.match(bar.line(), /2\.0 KiB/)
  })
})

describe('ProgressBar on a narrow terminal', () => {
  it('never draws a line as wide as the terminal, whatever its width', () => {
    for (let columns = 8; columns <= 140; columns++) {
      let now = 0
      const writes: string[] = []
      const out = { isTTY: true, columns, write: (t: string) => writes.push(t) }
      const bar = new ProgressBar('put a-rather-long-file-name.tar.gz', 5 * 2 ** 30, out, () => now)
      now = 1000
      bar.update(123 * 2 ** 20)
      const drawn = stripVTControlCharacters(writes.at(-1)!).replace(/^\r/, '')
      assert.ok(drawn.length < columns, `${columns} columns: ${JSON.stringify(drawn)}`)
      if (columns >= 100) assert.match(drawn, /\[#*\.+\] +2% .* ETA /, `${columns} columns`)
      if (columns >= 40) assert.match(drawn, /123\.0 MiB \/ 5\.0 GiB/, `${columns} columns`)
    }
  })
})
