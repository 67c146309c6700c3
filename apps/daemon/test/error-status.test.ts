// One table maps every error a node can raise to an HTTP status: a new exported error class
// without a status fails here, instead of reaching users as a 500.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import * as node from '@defs/node'
import { errorBody, errorStatus, statusByName } from '../src/http/http-errors.ts'

const errorClasses = Object.entries(node).filter(
  ([, value]) => typeof value === 'function' && value.prototype instanceof Error
) as [string, new (...args: never[]) => Error][]

describe('the error status table', () => {
  it('covers every error class @defs/node exports', () => {
    assert.ok(errorClasses.length >= 20, `only ${errorClasses.length} error classes exported`)
    const missing = errorClasses.map(([name]) => name).filter((name) => statusByName[name] === undefined)
    assert.deepEqual(missing, [], `no HTTP status for ${missing.join(', ')}`)
  })

  it('names each class as it is exported, so the table matches by name', () => {
    for (const [exported, cls] of errorClasses) {
      // Constructors differ (a message, or an option and a message, ...): three strings fit all.
      const err = Reflect.construct(cls, ['a', 'b', 'c']) as Error
      assert.equal(err.name, exported, `new ${exported}().name`)
    }
  })

  it('maps a user-caused layout error to 400, not 500', () => {
    const err = new node.LayoutError('size 5 needs slices over maxSliceSize 1')
    assert.equal(errorStatus(err), 400)
    assert.equal(errorBody(err).error.name, 'LayoutError')
  })
})
