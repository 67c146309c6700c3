// Mutated valid encodings (bit flips, truncation, extension, random bytes, splices): a decoder
// either refuses them with a DecodeError, or accepts bytes that are themselves the canonical
// encoding of what it returned. Never a TypeError, never a hang.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DecodeError } from '@defs/segment'
import { concat } from './helpers/bytes.ts'
import { codecs } from './helpers/codecs.ts'
import { seeded } from './helpers/random.ts'

const r = seeded('fuzz')
const MUTATIONS = 2500
const interesting = [
  0x00, 0x17, 0x18, 0x1b, 0x1f, 0x40, 0x5f, 0x7f, 0x9f, 0xa0, 0xbf, 0xc0, 0xf4, 0xf6, 0xf7, 0xfb, 0xff
]

const mutations: Record<string, (b: Uint8Array) => Uint8Array> = {
  bitFlip(b) {
    const out = b.slice()
    for (let n = r.int(1, 3); n > 0; n--) out[r.int(0, out.length - 1)]! ^= 1 << r.int(0, 7)
    return out
  },
  interestingByte(b) {
    const out = b.slice()
    out[r.int(0, out.length - 1)] = r.pick(interesting)
    return out
  },
  truncate: (b) => b.slice(0, r.int(0, b.length - 1)),
  extend: (b) => concat(b, r.bytes(r.int(1, 8))),
  insert(b) {
    const at = r.int(0, b.length)
    return concat(b.subarray(0, at), Uint8Array.of(r.pick(interesting)), b.subarray(at))
  },
  remove(b) {
    const at = r.int(0, b.length - 1)
    return concat(b.subarray(0, at), b.subarray(at + 1))
  },
  duplicate(b) {
    const from = r.int(0, b.length - 1)
    const to = r.int(from, Math.min(b.length, from + 40))
    return concat(b.subarray(0, to), b.subarray(from, to), b.subarray(to))
  },
  random: () => r.bytes(r.int(0, 64)),
  randomTail(b) {
    const at = r.int(0, b.length - 1)
    return concat(b.subarray(0, at), r.bytes(r.int(1, 16)))
  }
}

describe('fuzz: mutated encodings give only DecodeError', () => {
  for (const c of codecs) {
    it(c.name, () => {
      const seen: Record<string, number> = {}
      let accepted = 0
      for (let i = 0; i < MUTATIONS; i++) {
        const valid = c.encode(c.generate(r))
        const kind = r.pick(Object.keys(mutations))
        const input = mutations[kind]!(valid)
        const outcome = attempt(c.decode, input)
        if (outcome.ok) {
          accepted++
          assert.deepEqual(c.encode(outcome.value), input, `${kind} was accepted but is not canonical`)
        } else {
          const err = outcome.error
          assert.ok(err instanceof DecodeError, `${kind} threw ${explain(err)}, not a DecodeError`)
          assert.notEqual(err.name, 'Error')
          assert.match(err.message, /\S/)
          seen[err.name] = (seen[err.name] ?? 0) + 1
        }
      }
      // The mutations reach more than one kind of refusal.
      assert.ok(Object.keys(seen).length >= 4, `only ${JSON.stringify(seen)} (accepted ${accepted})`)
    })
  }
})

function attempt(decode: (b: Uint8Array) => unknown, input: Uint8Array) {
  try {
    return { ok: true as const, value: decode(input) }
  } catch (error) {
    return { ok: false as const, error }
  }
}

function explain(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err)
}
