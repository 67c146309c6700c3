// Debian's headless Chromium driven by playwright-core (which never downloads a browser), and a
// static file server on 127.0.0.1 for the pages it opens. Both are stopped by `close()`.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync'
]

export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError'
}

export interface Chromium {
  context: BrowserContext
  version: string
  close(): Promise<void>
}

/** Launches Chromium with a fresh profile, removed on close. */
export async function launchChromium(): Promise<Chromium> {
  try {
    statSync(CHROMIUM)
  } catch {
    throw new ChromiumMissingError(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`)
  }
  const profile = mkdtempSync(join(tmpdir(), 'defs-chromium-'))
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS
    })
    const version = context.browser()?.version() ?? (await versionOf(context))
    return {
      context,
      version,
      async close() {
        await context.close().catch(() => undefined)
        rmSync(profile, { recursive: true, force: true })
      }
    }
  } catch (err) {
    rmSync(profile, { recursive: true, force: true })
    throw err
  }
}

async function versionOf(context: BrowserContext): Promise<string> {
  const page = await context.newPage()
  try {
    const agent = await page.evaluate(() => navigator.userAgent)
    return agent.match(/Chrome\/(\S+)/)?.[1] ?? agent
  } finally {
    await page.close()
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm'
}

export interface StaticServer {
  url: string
  close(): Promise<void>
}

/** Serves files from `roots`, the first that has the path winning; nothing outside them. */
export async function serveStatic(roots: string[]): Promise<StaticServer> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname))
    for (const root of roots) {
      const file = join(root, path)
      if (!file.startsWith(root)) break
      try {
        if (!statSync(file).isFile()) continue
        res.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'cache-control': 'no-store'
        })
        res.end(readFileSync(file))
        return
      } catch {}
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
