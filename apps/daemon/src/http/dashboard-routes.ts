// The dashboard: the page and its assets, built into dist/dashboard by scripts/build-dashboard.ts
// (`npm install` runs it in a checkout; a published package carries the result). They hold no
// data, so they are served without credentials; the page signs in and calls the API like any
// client. Assets have content hashes in their names and are cached for good; the page is not.
import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { HttpError } from './http-errors.ts'
import type { RequestContext, Route } from './route.ts'

export const dashboardDir = new URL('../../dist/dashboard/', import.meta.url)

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml'
}

/** What the page may load and reach: only this API (no inline script, no other origin, no frames). */
const securityHeaders = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin'
}

async function serve(ctx: RequestContext, path: string, cache: string): Promise<void> {
  let body: Buffer
  try {
    body = await readFile(new URL(path, dashboardDir))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    if (path === 'index.html') {
      throw new HttpError(
        503,
        'DashboardNotBuiltError',
        'the dashboard is not built here: run `npm run build:assets -w @defs/daemon` (npm install does it in a checkout)'
      )
    }
    throw new HttpError(404, 'RouteNotFoundError', `no dashboard file ${path}`)
  }
  ctx.res.writeHead(200, {
    'content-type': types[extname(path)] ?? 'application/octet-stream',
    'content-length': body.length,
    'cache-control': cache,
    ...securityHeaders
  })
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body)
}

async function page(ctx: RequestContext): Promise<void> {
  await serve(ctx, 'index.html', 'no-cache')
}

async function asset(ctx: RequestContext): Promise<void> {
  const name = ctx.params.file!
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.'))
    throw new HttpError(404, 'RouteNotFoundError', `no dashboard file ${name}`)
  await serve(ctx, `assets/${name}`, 'public, max-age=31536000, immutable')
}

export const dashboardRoutes: Route[] = [
  { method: 'GET', pattern: '/', handler: page },
  { method: 'GET', pattern: '/assets/:file', handler: asset }
]
