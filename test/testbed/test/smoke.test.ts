// The testbed's smoke test: six hosts with 100 Mbit/s egress and 0.5% loss; a put on host 1,
// host 2 partitioned from all, host 3 SIGKILLed, the file read on host 6; the ledger reads every
// acknowledged upload back; teardown leaves no namespace and no process.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createTestbed, namespaces, type Testbed, testbedSkip } from '../src/index.ts'
import { leftBehind, processState, scratch } from './fixtures.ts'

const MiB = 1024 * 1024

describe('testbed smoke: 6 hosts, partition, SIGKILL, ledger', { skip: testbedSkip() }, () => {
  let tb: Testbed
  let files: Awaited<ReturnType<typeof scratch>>
  before(async () => {
    files = await scratch()
    tb = await createTestbed({ hosts: 6, egress: '100mbit', loss: 0.005 })
  })
  after(async () => {
    await tb?.teardown()
    await files?.remove()
  })

  it('puts on host 1 and reads on host 6 with host 2 partitioned and host 3 killed', async () => {
    const a = await tb.put(tb.host(1), await files.file('a.bin', 3 * MiB + 17))
    const b = await tb.put(tb.host(1), await files.file('b.bin', 200 * 1024))
    assert.equal(a.result.dataShards, 4)
    assert.equal(a.result.parityShards, 2)
    // 4+2 over six hosts: every host holds one shard of each slice, host 2 and host 3 included
    const holders = new Set(
      (a.result.placement as { shards: { peerId: string }[] }[])[0]!.shards.map((s) => s.peerId)
    )
    assert.ok(holders.has(tb.host(2).peerId!) && holders.has(tb.host(3).peerId!))

    await tb.isolate(tb.host(2))
    await tb.host(3).kill()
    assert.equal(tb.host(3).running, false)

    const got = await tb.host(6).cli(['cat', a.capability], { hashStdout: true })
    assert.equal(got.code, 0, got.stderr)
    assert.equal(got.bytes, a.size)
    assert.equal(got.sha256, a.sha256)

    const checked = await tb.ledger.verify([tb.host(4), tb.host(5), tb.host(6)])
    assert.deepEqual(checked, { checked: 2, bytes: a.size + b.size })
  })

  it('teardown removes every namespace and process it made', async () => {
    const pids = tb.hosts.map((h) => h.pid!).filter((p) => p !== undefined)
    assert.ok((await namespaces()).filter((ns) => ns.startsWith(tb.runId)).length >= 7)
    await tb.teardown()
    assert.deepEqual(leftBehind(await namespaces(), tb.runId), [])
    for (const pid of pids) assert.equal(processState(pid), 'gone', `pid ${pid}`)
  })
})
