// Each fault of the testbed does what it says, seen from inside the namespaces: no route out,
// partitions drop both directions and heal, loss and egress rules are in place, a paused daemon
// answers nothing until resumed, a restart keeps the node and a wipe makes a new one.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { after, before, describe, it } from 'node:test'
import { createTestbed, runInNamespace, type Testbed, testbedSkip } from '../src/index.ts'
import { scratch } from './fixtures.ts'

/** From inside `namespace`: does a TCP connection to address:port open within 1 s? */
async function opensOnce(namespace: string, address: string, port: number): Promise<boolean> {
  const code = `const s=require('net').connect(${port},'${address}');s.setTimeout(1000);s.on('connect',()=>{console.log('open');s.destroy()});s.on('timeout',()=>{console.log('silent');s.destroy()});s.on('error',(e)=>console.log(e.code))`
  const out = await runInNamespace(namespace, [process.execPath, '-e', code])
  return out.stdout.trim() === 'open'
}

/**
 * Does a connection open in one of 3 tries of 1 s? The hosts drop 1% of packets, and a lost SYN
 * or SYN-ACK is sent again only after the kernel's 1 s timeout, so one try would fail an open
 * path now and then; a closed path is checked with one try
 * (`opensOnce`): it stays silent at every try.
 */
async function reaches(namespace: string, address: string, port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) if (await opensOnce(namespace, address, port)) return true
  return false
}

describe('testbed network: routes, partitions, loss, egress', { skip: testbedSkip() }, () => {
  let tb: Testbed
  before(async () => {
    tb = await createTestbed({ hosts: 3, nat: [3], egress: '50mbit', loss: 0.01, daemons: false })
    // a listener on every host (a process of the testbed: teardown kills it with the namespace)
    for (const h of tb.hosts) {
      spawn(
        'ip',
        [
          'netns',
          'exec',
          h.namespace,
          process.execPath,
          '-e',
          `require('net').createServer((s)=>s.end()).listen(5000)`
        ],
        {
          stdio: 'ignore'
        }
      )
    }
    for (const h of tb.hosts.slice(1))
      for (
        let i = 0;
        i < 40 &&
        !(await opensOnce(
          tb.host(1).namespace,
          h.address === tb.host(3).address ? '198.18.0.2' : h.address,
          5000
        ));
        i++
      )
        await new Promise((r) => setTimeout(r, 50))
  })
  after(() => tb?.teardown())

  it('has no default route and no way out of 198.18.0.0/15', async () => {
    for (const ns of tb.namespaces) {
      const routes = (await runInNamespace(ns, ['ip', 'route', 'show'])).stdout
      assert.doesNotMatch(routes, /default/, `${ns}: ${routes}`)
      for (const line of routes.trim().split('\n').filter(Boolean))
        assert.match(line, /^198\.1[89]\./, `${ns} routes only testbed addresses: ${line}`)
    }
    assert.equal(await opensOnce(tb.host(1).namespace, '1.1.1.1', 443), false)
  })

  it('partitions both directions between two hosts and heals', async () => {
    const [a, b] = [tb.host(1), tb.host(2)]
    assert.equal(await reaches(a.namespace, b.address, 5000), true)
    await tb.partition(a, b)
    assert.equal(await opensOnce(a.namespace, b.address, 5000), false)
    assert.equal(await opensOnce(b.namespace, a.address, 5000), false)
    await tb.heal(a, b)
    assert.equal(await reaches(a.namespace, b.address, 5000), true)
    await tb.isolate(b)
    assert.equal(await opensOnce(tb.host(3).namespace, b.address, 5000), false)
    await tb.heal()
    assert.equal(await reaches(tb.host(3).namespace, b.address, 5000), true)
  })

  it('lets a NATed host out but nothing in', async () => {
    const natted = tb.host(3)
    assert.equal(await reaches(natted.namespace, tb.host(1).address, 5000), true)
    assert.equal(await opensOnce(tb.host(1).namespace, natted.address, 5000), false)
    assert.equal(await opensOnce(tb.host(1).namespace, natted.listenAddress, 5000), false)
  })

  it('drops the given fraction of packets and caps egress with tbf', async () => {
    const rules = (
      await runInNamespace(tb.host(1).namespace, ['nft', 'list', 'chain', 'inet', 'defs', 'loss'])
    ).stdout
    assert.match(rules, /numgen random mod 1000000 < 10000 drop/)
    const qdisc = (await runInNamespace(tb.host(2).namespace, ['tc', 'qdisc', 'show', 'dev', 'eth0'])).stdout
    assert.match(qdisc, /tbf .*rate 50Mbit/)
    await tb.setLoss(0)
    await tb.setEgress(undefined, tb.host(2))
    assert.doesNotMatch(
      (await runInNamespace(tb.host(1).namespace, ['nft', 'list', 'chain', 'inet', 'defs', 'loss'])).stdout,
      /numgen/
    )
    assert.doesNotMatch(
      (await runInNamespace(tb.host(2).namespace, ['tc', 'qdisc', 'show', 'dev', 'eth0'])).stdout,
      /tbf/
    )
  })
})

describe('testbed daemons: pause, restart, wipe', { skip: testbedSkip() }, () => {
  let tb: Testbed
  let files: Awaited<ReturnType<typeof scratch>>
  before(async () => {
    files = await scratch()
    tb = await createTestbed({
      hosts: 3,
      node: { storageMode: 'rs-proportion', dataShards: 2, parityShards: 1 }
    })
  })
  after(async () => {
    await tb?.teardown()
    await files?.remove()
  })

  it('a paused daemon answers nothing until it is resumed', async () => {
    const h = tb.host(2)
    await h.pause()
    const out = await h.cli(['status', '--json'], { timeoutMs: 4000 })
    assert.notEqual(out.code, 0, 'a stopped daemon cannot answer')
    await h.resume()
    assert.equal((await h.status()).peerId, h.peerId)
    // peers may have dropped their connections to it meanwhile; nothing redials them by itself
    await tb.mesh()
  })

  it('a restart keeps the node and its shards; a wipe makes a new node', async () => {
    const put = await tb.put(tb.host(1), await files.file('f.bin', 100_000))
    const h = tb.host(3)
    const before = await h.status()
    assert.ok(before.storedShards >= 1)
    await h.restart([tb.host(1).multiaddr()])
    const again = await h.status()
    assert.equal(again.peerId, before.peerId)
    assert.equal(again.storedShards, before.storedShards)
    await h.kill()
    await h.wipe()
    await h.start([tb.host(1).multiaddr()])
    const fresh = await h.status()
    assert.notEqual(fresh.peerId, before.peerId)
    assert.equal(fresh.storedShards, 0)
    // one shard of 2+1 lost with the wipe: the file still reads, from a host that did not write it
    await tb.mesh()
    assert.deepEqual(await tb.ledger.verify([tb.host(2), h]), { checked: 1, bytes: put.size })
  })
})
