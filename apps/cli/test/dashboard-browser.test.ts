// The dashboard in headless Chromium (Debian's) against a real devnet of 7 paired daemons (3
// pairs and one spare, so a survivor has someone to pair with), each its own process: sign in
// with node-1's token, see its 6 peers and its partner, drop a 16 MiB
// file on the page and watch it complete, download it by click (SHA-256 equal to what the page
// dropped), see the storage panel (leases, quota, free disk) as GET /v1/status gives it, pause
// and resume a task, switch maintenance on and off, sign in as a user (`defs user create`) with
// name and passphrase (a wrong one refused) and see their tree (a `defs put` with their session
// and a file dropped on the page), download a file of it by click (SHA-256 equal) and share it
// (its capability copied, and granted to another user), and none of the operator's controls,
// see a repair in progress beside its file on the node that repairs it after a whole pair is
// SIGKILLed, and see node-1's partner, SIGKILLed, go away and the pair recover with a new
// partner. A screenshot of each step is kept in test/artifacts/dashboard.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Page } from 'playwright-core'
import { type Chromium, launchChromium } from '../../../test/browser/chromium.ts'
import { buildDashboard } from '../../daemon/scripts/build-dashboard.ts'
import { waitForPairs } from '../src/demo/pairs.ts'
import { type Devnet, startDevnet } from '../src/index.ts'
import { apiEnv, runCli } from './run-cli.ts'

const MiB = 1024 * 1024
const artifacts = new URL('../../../test/artifacts/dashboard/', import.meta.url).pathname
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('the dashboard in Chromium, against a 7-node paired devnet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'defs-dashboard-'))
  let devnet: Devnet | undefined
  let chromium: Chromium | undefined
  let page: Page | undefined

  before(async () => {
    mkdirSync(artifacts, { recursive: true })
    await buildDashboard()
    const [net, browser] = await Promise.all([
      // health checks every 5 s and slow repairs: the repair test sees one in progress
      startDevnet({
        nodes: 7,
        dir: join(dir, 'devnet'),
        pairing: true,
        node: { repairCheckInterval: 5000, repairBandwidth: 256 * 1024 }
      }),
      launchChromium()
    ])
    devnet = net
    // The page talks to nodes[0], which must have a partner: of 7 nodes one is left alone (the
    // spare the last test's survivor pairs with), and which one is up to the race. Bounded wait.
    const pairs = await waitForPairs(net, 3, 60_000)
    const paired = net.nodes.findIndex((n) => pairs.some((p) => p.a === n.name || p.b === n.name))
    assert.ok(paired >= 0, `pairs formed: ${JSON.stringify(pairs)}`)
    ;[net.nodes[0], net.nodes[paired]] = [net.nodes[paired]!, net.nodes[0]!]
    chromium = browser
    page = await chromium.context.newPage()
    page.on('pageerror', (err) => console.log(`# page error: ${err}`))
  })
  after(async () => {
    await Promise.allSettled([page?.close(), chromium?.close(), devnet?.stop()])
    rmSync(dir, { recursive: true, force: true })
  })
  const shot = (name: string) => page!.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true })
  const peerCount = async () => Number(await page!.locator('#peer-count').textContent())

  it('signs in with the token, refusing a wrong one, and shows the node and its peers', async () => {
    const entry = devnet!.nodes[0]!
    await page!.goto(`${entry.api}/`)
    await page!.fill('#token', 'f'.repeat(64))
    await page!.click('#sign-in button[type=submit]')
    await page!.locator('#sign-in [role=alert]').waitFor({ timeout: 10_000 })
    assert.match((await page!.locator('#sign-in [role=alert]').textContent())!, /token/)
    await shot('sign-in-refused')
    await page!.fill('#token', entry.token)
    await page!.click('#sign-in button[type=submit]')
    await page!.locator('#peer-id').waitFor({ timeout: 10_000 })
    assert.equal(await page!.locator('#peer-id').textContent(), entry.peerId)
    await page!.waitForFunction(
      () => Number(document.querySelector('#peer-count')?.textContent) === 6,
      undefined,
      {
        timeout: 30_000
      }
    )
    for (const n of devnet!.nodes.slice(1))
      assert.equal(await page!.locator(`tr[data-peer="${n.peerId}"]`).count(), 1)
    // Each row shows the factors of its score, as the API gives them.
    const { peers } = (await (
      await fetch(`${entry.api}/v1/peers`, { headers: { authorization: `Bearer ${entry.token}` } })
    ).json()) as { peers: { peerId: string; factors: Record<string, number> }[] }
    const shown = peers[0]!
    const cell = page!.locator(`tr[data-peer="${shown.peerId}"] [data-factor="audit"]`)
    assert.match((await cell.textContent()) ?? '', /audit \d\.\d\d/)
    // The pairs form by themselves; the page shows node-1's partner as the API reports it.
    await page!.waitForFunction(
      () =>
        document.querySelector('#pair-health')?.getAttribute('data-health') === 'alive' &&
        (document.querySelector('#pair-partner')?.getAttribute('data-partner') ?? '') !== '',
      undefined,
      { timeout: 60_000 }
    )
    const pair = await devnet!.client(entry.name).pair()
    assert.ok(pair.enabled && pair.partner !== undefined)
    assert.equal(await page!.locator('#pair-partner').getAttribute('data-partner'), pair.partner)
    assert.equal(await page!.locator('#state').getAttribute('data-state'), 'running')
    // The token is not kept by the page: only an HttpOnly cookie is.
    assert.equal(await page!.evaluate(() => document.cookie), '')
    await shot('node')
  })

  it('takes a 16 MiB file dropped on it, and gives the same bytes back by click', async () => {
    // Made and dropped in the page, as a user's drag from the desktop would deliver it.
    const dropped = await page!.evaluate(async (size) => {
      const bytes = new Uint8Array(size)
      for (let o = 0; o < size; o += 65_536) crypto.getRandomValues(bytes.subarray(o, o + 65_536))
      const transfer = new DataTransfer()
      transfer.items.add(new File([bytes], 'dropped.bin'))
      const zone = document.querySelector('#drop')!
      zone.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true })
      )
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
      return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
    }, 16 * MiB)
    await page!.locator('.upload[data-state=done], .upload[data-state=failed]').waitFor({ timeout: 120_000 })
    const upload = page!.locator('.upload').first()
    assert.equal(await upload.getAttribute('data-state'), 'done', (await upload.textContent()) ?? '')
    const fileId = (await upload.getAttribute('data-file'))!
    assert.match(fileId, /^[0-9a-f]{32}$/)
    await shot('uploaded')
    const row = page!.locator(`tr[data-file="${fileId}"]`)
    await row.waitFor({ timeout: 30_000 })
    const download = page!.waitForEvent('download', { timeout: 120_000 })
    await row.locator('[data-action=download]').click()
    const saved = readFileSync((await (await download).path())!)
    assert.equal((await download).suggestedFilename(), 'dropped.bin')
    assert.equal(saved.length, 16 * MiB)
    assert.equal(sha256(saved), dropped)
    // The daemon samples throughput every 5 s; the chart shows the hour it kept, the transfers in it.
    await page!.waitForFunction(
      () =>
        Number(/(\d+) samples/.exec(document.querySelector('#throughput .legend')?.textContent ?? '')?.[1]) >=
        2,
      undefined,
      { timeout: 30_000 }
    )
    // The upload's bytes land in the first sample taken after they came in: up to 5 s after the
    // upload finished, so the history is read again (bounded) until that sample is in it.
    const received = async () =>
      (await devnet!.client(devnet!.nodes[0]!.name).throughput()).samples.reduce((n, x) => n + x.received, 0)
    let bytesIn = await received()
    for (let i = 0; i < 15 && bytesIn === 0; i++) {
      await new Promise((r) => setTimeout(r, 1000))
      bytesIn = await received()
    }
    assert.ok(bytesIn > 0, 'the upload is in the throughput history')
    assert.ok((await page!.locator('#transfer-line').getAttribute('points'))!.split(' ').length >= 2)
    await row.locator('[data-action=check]').click()
    await row.locator('.health span').waitFor({ timeout: 30_000 })
    assert.match((await row.locator('.health').textContent())!, /of \d+ live \(k \d+\)/)
    await shot('files')
  })

  it('shows the storage panel as GET /v1/status gives it: held, leased, expired, collected, quota, free disk', async () => {
    const client = devnet!.client(devnet!.nodes[0]!.name)
    type Count = { shards: number; bytes: number }
    const shown = () =>
      page!.evaluate(() => {
        const count = (key: string) => {
          const row = document.querySelector(`#leases tr[data-lease="${key}"]`)
          return {
            shards: Number(row?.getAttribute('data-shards')),
            bytes: Number(row?.getAttribute('data-bytes'))
          }
        }
        return {
          leases: {
            held: count('held'),
            leased: count('leased'),
            expired: count('expired'),
            collected: count('collected')
          },
          quotaBytes: Number(document.querySelector('#quota')?.getAttribute('data-bytes')),
          freeBytes: Number(document.querySelector('#free-disk')?.getAttribute('data-bytes'))
        }
      })
    // The page's copy comes with the status event (every 5 s): the leases can move between that and
    // the API's answer, so they are compared until they meet (bounded), then asserted equal.
    let page_ = await shown()
    let status = await client.status()
    for (let i = 0; i < 20 && JSON.stringify(page_.leases) !== JSON.stringify(status.leases); i++) {
      await new Promise((r) => setTimeout(r, 1000))
      ;[page_, status] = await Promise.all([shown(), client.status()])
    }
    const leases = status.leases as Record<'held' | 'leased' | 'expired' | 'collected', Count>
    assert.deepEqual(page_.leases, leases)
    for (const key of ['held', 'leased', 'expired', 'collected'] as const)
      assert.match(
        (await page!.locator(`#leases tr[data-lease="${key}"]`).textContent())!,
        new RegExp(`${leases[key].shards} shards`)
      )
    assert.equal(page_.quotaBytes, status.maxStorage)
    // Free disk moves with every write on the machine: the page's is the API's within 1 %.
    assert.ok(status.disk !== undefined)
    assert.ok(
      Math.abs(page_.freeBytes - status.disk.freeBytes) <= status.disk.freeBytes / 100,
      `free disk shown ${page_.freeBytes}, API ${status.disk.freeBytes}`
    )
    await shot('storage')
  })

  it('pauses and resumes a task from its buttons', async () => {
    const entry = devnet!.nodes[0]!
    const client = devnet!.client(entry.name)
    const fileId = (await client.files())[0]!.fileId
    // More download tasks than the node runs at once: some wait queued, where a pause always lands.
    const ids: string[] = []
    for (let i = 0; i < 8; i++) ids.push((await client.startDownload(fileId, join(dir, `out-${i}`))).id)
    let paused: string | undefined
    for (const id of ids.reverse()) {
      const row = page!.locator(`tr[data-task="${id}"]`)
      await row.waitFor({ timeout: 10_000 })
      const state = await row.getAttribute('data-state')
      if (state !== 'queued' && state !== 'running') continue
      await row.locator('[data-action=pause]').click()
      await page!.waitForFunction(
        (id) =>
          ['paused', 'done'].includes(
            document.querySelector(`tr[data-task="${id}"]`)?.getAttribute('data-state') ?? ''
          ),
        id,
        { timeout: 30_000 }
      )
      if ((await row.getAttribute('data-state')) === 'paused') {
        paused = id
        break
      }
    }
    assert.ok(paused !== undefined, 'one task was paused from the page')
    assert.equal((await client.task(paused)).state, 'paused')
    await shot('task-paused')
    await page!.locator(`tr[data-task="${paused}"] [data-action=resume]`).click()
    await page!.waitForFunction(
      (id) => document.querySelector(`tr[data-task="${id}"]`)?.getAttribute('data-state') === 'done',
      paused,
      { timeout: 120_000 }
    )
    assert.equal((await client.task(paused)).state, 'done')
  })

  it('switches maintenance mode on and off', async () => {
    const client = devnet!.client(devnet!.nodes[0]!.name)
    await page!.click('#maintenance')
    await page!.waitForFunction(
      () => document.querySelector('#state')?.getAttribute('data-state') === 'maintenance',
      undefined,
      {
        timeout: 60_000
      }
    )
    assert.equal((await client.status()).state, 'maintenance')
    await shot('maintenance')
    await page!.locator('#maintenance:not([disabled])').waitFor({ timeout: 60_000 })
    await page!.click('#maintenance')
    await page!.waitForFunction(
      () => document.querySelector('#state')?.getAttribute('data-state') === 'running',
      undefined,
      {
        timeout: 60_000
      }
    )
    assert.equal((await client.status()).state, 'running')
  })

  it('signs a user in with name and passphrase, shows their tree and none of the operator’s controls', async () => {
    const entry = devnet!.nodes[0]!
    const env = (passphrase: string, session?: string) => ({
      ...apiEnv(entry.api, entry.token),
      DEFS_PASSPHRASE: passphrase,
      ...(session === undefined ? {} : { DEFS_SESSION: session })
    })
    const created = await runCli(['user', 'create', 'alice', '--json'], { env: env('alice pass') })
    assert.equal(created.code, 0, created.stderr)
    const alice = JSON.parse(created.stdout.toString()) as { user: string }
    await page!.click('#sign-out')
    await page!.locator('#user-sign-in').waitFor({ timeout: 10_000 })
    const alert = page!.locator('#user-sign-in [role=alert]')
    await page!.fill('#user-name', 'alice')
    await page!.fill('#passphrase', 'not alice pass')
    await page!.click('#user-sign-in button[type=submit]')
    await alert.waitFor({ timeout: 10_000 })
    assert.match((await alert.textContent())!, /wrong passphrase for user alice/)
    await shot('user-sign-in-refused')
    await page!.fill('#passphrase', 'alice pass')
    await page!.click('#user-sign-in button[type=submit]')
    await page!.locator('#user').waitFor({ timeout: 10_000 })
    assert.equal(await page!.locator('#user').getAttribute('data-user'), alice.user)
    await page!.locator('#tree-empty').waitFor({ timeout: 10_000 })
    // None of the operator's panels or switches is offered, and the API refuses them to this cookie.
    for (const operatorOnly of ['#node', '#maintenance', '#tasks', '#peers', '#files', '#pair'])
      assert.equal(await page!.locator(operatorOnly).count(), 0, operatorOnly)
    const refused = await page!.evaluate(async () => {
      const answer = async (path: string, init?: RequestInit) => {
        const res = await fetch(path, init)
        return [res.status, ((await res.json()) as { error?: { name: string } }).error?.name]
      }
      return [
        await answer('/v1/maintenance', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"on":true}'
        }),
        await answer('/v1/tasks'),
        await answer('/v1/status')
      ]
    })
    assert.deepEqual(refused, Array(3).fill([403, 'OperatorOnlyError']))
    assert.equal((await devnet!.client(entry.name).status()).state, 'running')

    // alice puts a file with her session from defs login; the page lists it on Refresh.
    const login = await runCli(['login', 'alice'], { env: env('alice pass') })
    assert.equal(login.code, 0, login.stderr)
    const path = join(dir, 'notes.txt')
    writeFileSync(path, `alice's notes ${Date.now()}\n`)
    const put = await runCli(['put', path, '--name', 'docs/notes.txt', '--json'], {
      env: env('', login.stdout.toString().trim())
    })
    assert.equal(put.code, 0, put.stderr)
    const { fileId } = JSON.parse(put.stdout.toString()) as { fileId: string }
    await page!.click('#refresh-tree')
    const row = page!.locator('#user-files tr[data-name="docs/notes.txt"]')
    await row.waitFor({ timeout: 10_000 })
    assert.equal(await row.getAttribute('data-file'), fileId)
    // Only hers: the 16 MiB file the operator dropped is the node's, not in her tree.
    assert.equal(await page!.locator('#user-files tbody tr').count(), 1)
    // A file she drops on the page goes into her tree, owned by her key, under its name.
    const { dropped, droppedSha } = await page!.evaluate(async () => {
      const bytes = new TextEncoder().encode(`dropped by alice ${Date.now()}\n`.repeat(4000))
      const transfer = new DataTransfer()
      transfer.items.add(new File([bytes], 'dropped-by-alice.txt'))
      document
        .querySelector('#drop')!
        .dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }))
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
      const droppedSha = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
      return { dropped: 'dropped-by-alice.txt', droppedSha }
    })
    await page!.locator('.upload[data-state=done], .upload[data-state=failed]').waitFor({ timeout: 60_000 })
    const upload = page!.locator('.upload').first()
    assert.equal(await upload.getAttribute('data-state'), 'done', (await upload.textContent()) ?? '')
    const droppedRow = page!.locator(`#user-files tr[data-name="${dropped}"]`)
    await droppedRow.waitFor({ timeout: 10_000 })
    assert.equal(await droppedRow.getAttribute('data-file'), await upload.getAttribute('data-file'))
    const ls = await runCli(['ls', '--json'], { env: env('', login.stdout.toString().trim()) })
    assert.equal(ls.code, 0, ls.stderr)
    assert.deepEqual(
      (JSON.parse(ls.stdout.toString()) as { name: string; fileId: string }[])
        .map((f) => [f.name, f.fileId])
        .sort(),
      [
        ['docs/notes.txt', fileId],
        [dropped, await upload.getAttribute('data-file')]
      ].sort()
    )
    // Her file back by click, the same bytes; share copies its capability, or grants it to bob.
    const download = page!.waitForEvent('download', { timeout: 60_000 })
    await droppedRow.locator('[data-action=download]').click()
    const saved = readFileSync((await (await download).path())!)
    assert.equal((await download).suggestedFilename(), dropped)
    assert.equal(sha256(saved), droppedSha)
    await droppedRow.locator('[data-action=share]').click()
    await page!.locator('#capability').waitFor({ timeout: 10_000 })
    assert.match((await page!.locator('#capability').inputValue())!, /^defs:/)
    const bob = await runCli(['user', 'create', 'bob', '--json'], { env: env('bob pass') })
    assert.equal(bob.code, 0, bob.stderr)
    await page!.selectOption('#share-file', dropped)
    await page!.fill('#share-friend', 'bob')
    await page!.click('#share-with button[type=submit]')
    await page!.locator('#shared-with').waitFor({ timeout: 10_000 })
    assert.equal(
      await page!.locator('#shared-with').getAttribute('data-with'),
      (JSON.parse(bob.stdout.toString()) as { user: string }).user
    )
    assert.equal(await page!.evaluate(() => document.cookie), '')
    await shot('user-files')

    // Back to the operator for the rest.
    await page!.click('#sign-out')
    await page!.fill('#token', entry.token)
    await page!.click('#sign-in button[type=submit]')
    await page!.waitForFunction(
      () => Number(document.querySelector('#peer-count')?.textContent) === 6,
      undefined,
      {
        timeout: 30_000
      }
    )
  })

  it('shows a repair in progress beside its file, on the node that repairs it, until the file is whole', async () => {
    // 4 MiB as 2+1, one slice: its three shards on three of the four failure domains (3 pairs and
    // the spare, at most m = 1 shard per pair). A pair other than node-1's that holds one is
    // SIGKILLed: the shard has no live copy, and a holder rebuilds it on the free domain.
    const first = devnet!.nodes[0]!
    const path = join(dir, 'repaired.bin')
    writeFileSync(path, randomBytes(4 * MiB))
    const put = await runCli(['put', path, '--mode', 'rs-proportion', '-k', '2', '-m', '1', '--json'], {
      env: apiEnv(first.api, first.token)
    })
    assert.equal(put.code, 0, put.stderr)
    const { fileId, placement } = JSON.parse(put.stdout.toString()) as {
      fileId: string
      placement: { shards: { peerId: string }[] }[]
    }
    const holders = new Set(placement.flatMap((p) => p.shards.map((s) => s.peerId)))
    const pairs = await waitForPairs(devnet!, 3, 60_000)
    const byName = (name: string) => devnet!.nodes.find((n) => n.name === name)!
    const lost = pairs
      .map((p) => [byName(p.a), byName(p.b)] as const)
      .find(([a, b]) => a !== first && b !== first && (holders.has(a.peerId) || holders.has(b.peerId)))
    assert.ok(lost !== undefined, `a pair other than node-1's holds a shard: ${JSON.stringify(pairs)}`)
    for (const n of lost) await devnet!.kill(n.name, 'SIGKILL')
    const live = devnet!.nodes.filter((n) => !lost.includes(n))

    // The holders check every 5 s (this devnet's interval); repairs move 256 KiB/s, so one runs
    // for seconds. The node whose file list names the repair (bounded wait):
    let repairer: (typeof live)[number] | undefined
    for (const until = Date.now() + 90_000; repairer === undefined && Date.now() < until; ) {
      for (const n of live) {
        const info = await devnet!
          .client(n.name)
          .info(fileId)
          .catch(() => undefined)
        if (info?.repair !== undefined) repairer = n
      }
      if (repairer === undefined) await new Promise((r) => setTimeout(r, 250))
    }
    assert.ok(repairer !== undefined, 'some live holder queues a repair of the file')
    const view = await chromium!.context.newPage()
    try {
      await view.goto(`${repairer.api}/`)
      await view.locator('#token, #peer-id').first().waitFor({ timeout: 10_000 })
      if ((await view.locator('#token').count()) > 0) {
        await view.fill('#token', repairer.token)
        await view.click('#sign-in button[type=submit]')
      }
      const shown = view.locator(`tr[data-file="${fileId}"] .repair`)
      await shown.waitFor({ timeout: 30_000 })
      assert.match((await shown.textContent()) ?? '', /repair (queued|running|paused)/)
      assert.match((await shown.getAttribute('data-repair')) ?? '', /\S/)
      await view.screenshot({ path: join(artifacts, 'file-repairing.png'), fullPage: true })
      // Done, the file list is read again and the repair goes from the row.
      await shown.waitFor({ state: 'detached', timeout: 240_000 })
    } finally {
      await view.close()
    }
    const health = await devnet!.client(repairer.name).health(fileId)
    assert.equal(health.minLive, 3, JSON.stringify(health))
  })

  it("drops a SIGKILLed partner's peer, and shows the pair recover with a new partner", async () => {
    const client = devnet!.client(devnet!.nodes[0]!.name)
    const before = await client.pair()
    assert.ok(before.enabled && before.partner !== undefined)
    const victim = devnet!.nodes.find((n) => n.peerId === before.partner)!
    // the repair test before killed a whole pair: node-1 sees the four others
    await page!.waitForFunction(
      () => Number(document.querySelector('#peer-count')?.textContent) === 4,
      undefined,
      {
        timeout: 60_000
      }
    )
    await devnet!.kill(victim.name, 'SIGKILL')
    await page!.locator(`tr[data-peer="${victim.peerId}"]`).waitFor({ state: 'detached', timeout: 60_000 })
    assert.equal(await peerCount(), 3)
    await shot('peer-gone')
    // After the failure timeout (30 s) and the witnesses' word, node-1 pairs anew at a higher epoch.
    await page!.waitForFunction(
      (old) => {
        const partner = document.querySelector('#pair-partner')?.getAttribute('data-partner') ?? ''
        const health = document.querySelector('#pair-health')?.getAttribute('data-health')
        return partner !== '' && partner !== old && health === 'alive'
      },
      victim.peerId,
      { timeout: 120_000 }
    )
    const after = await client.pair()
    assert.ok(after.enabled && after.partner !== victim.peerId && after.epoch > before.epoch)
    await shot('pair-recovered')
  })
})
