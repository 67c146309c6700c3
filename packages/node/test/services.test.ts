// Services: made and started in dependency order, stopped in reverse, a failed start undone, and
// wired into a real node, where a service sees the node's components.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { createNode, type NodeComponents, type ServiceFactory, startOrder } from '../src/index.ts'
import { startServices } from '../src/services.ts'

function recorder(
  log: string[],
  name: string,
  dependencies: string[] = [],
  failStart = false
): ServiceFactory {
  return {
    dependencies,
    create: (_c, made) => {
      for (const d of dependencies) assert.ok(made[d] !== undefined, `${name} made before ${d}`)
      log.push(`create ${name}`)
      return {
        start: () => {
          if (failStart) throw new Error(`${name} cannot start`)
          log.push(`start ${name}`)
        },
        stop: () => {
          log.push(`stop ${name}`)
        }
      }
    }
  }
}

describe('services', () => {
  it('orders by declared dependencies and refuses cycles and unknown names', () => {
    const f = (deps: string[]): ServiceFactory => ({ dependencies: deps, create: () => ({}) })
    assert.deepEqual(
      startOrder({ repair: f(['pairing']), pairing: f([]), mirror: f(['repair', 'pairing']) }),
      ['pairing', 'repair', 'mirror']
    )
    assert.throws(() => startOrder({ a: f(['b']), b: f(['a']) }), /cycle: a -> b -> a/)
    assert.throws(() => startOrder({ a: f(['ghost']) }), /a depends on ghost, which the node was not given/)
  })

  it('stops in reverse order, and undoes a start that failed half way', async () => {
    const log: string[] = []
    const c = {} as NodeComponents
    const started = await startServices({ b: recorder(log, 'b', ['a']), a: recorder(log, 'a') }, c)
    await started.stop()
    assert.deepEqual(log, ['create a', 'start a', 'create b', 'start b', 'stop b', 'stop a'])
    const failed: string[] = []
    await assert.rejects(
      startServices({ a: recorder(failed, 'a'), b: recorder(failed, 'b', ['a'], true) }, c),
      /b cannot start/
    )
    assert.deepEqual(failed, ['create a', 'start a', 'create b', 'stop a'])
  })

  it('runs inside a real node: components in, started before the node answers, stopped with it', async () => {
    const root = await mkdtemp(join(tmpdir(), 'defs-services-'))
    const log: string[] = []
    let seen: NodeComponents | undefined
    try {
      const node = await createNode({
        dataDir: join(root, 'n'),
        workerNum: 1,
        services: {
          probe: {
            create: (c) => {
              seen = c
              return {
                start: () => void log.push('start'),
                stop: () => void log.push('stop'),
                peer: c.peerId
              }
            }
          }
        }
      })
      assert.equal(node.services.probe.peer, node.peerId)
      assert.equal(seen?.lifecycle.state, 'running')
      assert.deepEqual(log, ['start'])
      await node.stop()
      assert.deepEqual(log, ['start', 'stop'])
      assert.equal(seen?.lifecycle.state, 'stopped')
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
