// The web reader in headless Chromium (Debian's) against a real devnet: 6 daemons, each its own
// process; a 16 MiB file put through node-1 as 4+2, two other nodes SIGKILLed, then the page
// (given the capability and node-1's WebSocket address) reads it straight from the holders and
// saves it, and the saved bytes' SHA-256 must be the original's. The daemon's own reader (HTTP
// GET on node-1) reads the same file in the same state, for the throughput beside it.
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { type Devnet, startDevnet } from '@defs/cli'
import {
  type Chromium,
  launchChromium,
  type StaticServer,
  serveStatic
} from '../../../test/browser/chromium.ts'
import { buildReader } from '../scripts/build.ts'

const SIZE = 16 * 1024 * 1024
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('web reader in Chromium, against a 6-node devnet with 2 nodes killed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'defs-web-reader-'))
  let devnet: Devnet | undefined
  let chromium: Chromium | undefined
  let site: StaticServer | undefined

  before(async () => {
    const [net, browser, built] = await Promise.all([
      startDevnet({ nodes: 6, dir: join(dir, 'devnet') }),
      launchChromium(),
      buildReader(join(dir, 'site'))
    ])
    devnet = net
    chromium = browser
    site = await serveStatic([built])
  })

  after(async () => {
    await Promise.allSettled([chromium?.close(), site?.close(), devnet?.stop()])
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads a 16 MiB file from the holders, decrypts it and saves it, SHA-256 equal', async () => {
    const net = devnet!
    const original = new Uint8Array(randomBytes(SIZE))
    const entry = net.nodes[0]!
    const put = await net.client(entry.name).upload(Readable.from([original]), {
      size: SIZE,
      query: { name: 'web.bin', mode: 'rs-proportion', k: 4, m: 2 }
    })
    assert.equal(put.dataShards, 4)
    // Every shard of a slice sits on its own node, so any two others may go: 4 of 6 are left.
    for (const name of ['node-2', 'node-3']) await net.kill(name, 'SIGKILL')

    const t0 = performance.now()
    const chunks: Uint8Array[] = []
    for await (const chunk of net.client(entry.name).download(put.capability)) chunks.push(chunk)
    const nodeSeconds = (performance.now() - t0) / 1000
    assert.equal(sha256(Buffer.concat(chunks)), sha256(original))

    const ws = entry.addresses.find((a) => a.includes('/ws/'))
    assert.ok(ws !== undefined, `node-1 has a WebSocket address: ${entry.addresses.join(' ')}`)
    const page = await chromium!.context.newPage()
    page.on('console', (message) => console.log(`# page console: ${message.text()}`))
    page.on('pageerror', (err) => console.log(`# page error: ${err}`))
    try {
      await page.goto(`${site!.url}/index.html`)
      await page.fill('#capability', put.capability)
      await page.fill('#address', ws)
      const downloaded = page.waitForEvent('download', { timeout: 120_000 })
      downloaded.catch(() => {})
      await page.click('button[type=submit]')
      // The page says when it is done or why it failed; the download follows a done.
      await page.waitForFunction(
        () =>
          ['done', 'failed'].includes(document.querySelector<HTMLElement>('#status')?.dataset.state ?? ''),
        undefined,
        { timeout: 120_000 }
      )
      const state = await page.locator('#status').getAttribute('data-state')
      assert.equal(state, 'done', (await page.locator('#status').textContent()) ?? '')
      const download = await downloaded
      const saved = readFileSync((await download.path())!)
      assert.equal(download.suggestedFilename(), 'web.bin')
      assert.equal(saved.length, SIZE)
      assert.equal(sha256(saved), sha256(original))
      const status = page.locator('#status')
      assert.equal(await status.getAttribute('data-state'), 'done')
      const seconds = Number(await status.getAttribute('data-seconds'))
      const rebuilt = await status.getAttribute('data-rebuilt')
      const fetchSeconds = Number(await status.getAttribute('data-fetch-seconds'))
      const mbps = (s: number) => (SIZE / 1e6 / s).toFixed(1)
      console.log(
        `# 16 MiB, 4+2, 2 of 6 nodes killed: Chromium ${chromium!.version} web reader ${seconds.toFixed(2)} s (${mbps(seconds)} MB/s; after the holders were found, fetch + rebuild + decrypt ${fetchSeconds.toFixed(2)} s, ${mbps(fetchSeconds)} MB/s; ${rebuilt} slices rebuilt); node-1's reader over HTTP ${nodeSeconds.toFixed(2)} s (${mbps(nodeSeconds)} MB/s)`
      )
      console.log(`# page: ${await status.textContent()}`)
    } finally {
      await page.close()
    }
  })
})
