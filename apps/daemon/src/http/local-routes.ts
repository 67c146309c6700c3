// Routes for a client on the daemon's own machine (the API listens on loopback only):
// `POST /v1/uploads` stores a file the daemon reads itself, by path, so the upload task can be
// paused and resumed (a streamed body cannot be read again once its request is gone), and
// `GET /v1/version` says which daemon this is and its pid (what `defs stop` signals), and
// `GET /v1/files/:ref/capability` gives a stored file's capability again (`defs share`).

import { stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { isAbsolute } from 'node:path'
import type { PutOptions, TaskProgress } from '@defs/node'
import type { Shares } from '../shares.ts'
import { badRequest, errorBody, HttpError } from './http-errors.ts'
import { readJsonBody, sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'
import { parseUploadQuery } from './upload-query.ts'
import { putForRequest } from './user-put.ts'

export const daemonVersion = (createRequire(import.meta.url)('../../package.json') as { version: string })
  .version

/** How often an upload reports progress, at most. */
const progressIntervalMs = 200

async function version(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { version: daemonVersion, node: process.version, pid: process.pid })
}

/** The capability of a file this node keeps the key of (its `shares` service), for `defs share`. */
async function capability(ctx: RequestContext): Promise<void> {
  const ref = ctx.params.ref!
  // Known and not deleted, or this throws (404) as every other file route does.
  const info = await ctx.node.files.stat(ref)
  if (ref.startsWith('defs:')) return sendJson(ctx.res, 200, { fileId: info.fileId, capability: ref })
  const shares = (ctx.node.services as { shares?: Shares }).shares
  if (shares === undefined) throw new HttpError(501, 'NotSupportedError', 'this node has no shares service')
  const found = await shares.capability(info.fileId)
  if (found === undefined) {
    throw new HttpError(
      403,
      'FileKeyMissingError',
      `this node holds no key for file ${info.fileId}: only the node that stored it (or read it with its capability) can share it`
    )
  }
  sendJson(ctx.res, 200, { fileId: info.fileId, capability: found })
}

async function uploadPath(ctx: RequestContext): Promise<void> {
  const { res } = ctx
  const { path, ...rest } = await readJsonBody(ctx.req)
  if (typeof path !== 'string' || !isAbsolute(path))
    throw badRequest(`body.path must be an absolute path, got ${JSON.stringify(path)}`)
  // The same names and checks as the query of POST /v1/files.
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(rest))
    if (value !== undefined && value !== null) query.set(key, String(value))
  const { options } = parseUploadQuery(query, undefined)
  await checkReadable(path)
  let last = 0
  const onProgress = (p: TaskProgress) => {
    const now = Date.now()
    if (now - last < progressIntervalMs) return
    last = now
    if (!res.headersSent)
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
    res.write(`${JSON.stringify({ progress: p })}\n`)
  }
  const put: PutOptions = { ...options, onProgress }
  delete put.size
  try {
    const result = await putForRequest(ctx, path, put)
    if (!res.headersSent)
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
    res.end(`${JSON.stringify({ result })}\n`)
  } catch (err) {
    if (!res.headersSent) throw err
    ctx.metrics.error((err as Error)?.name ?? 'Error')
    ctx.log.error('upload_failed', err)
    res.end(`${JSON.stringify(errorBody(err))}\n`)
  }
}

async function checkReadable(path: string): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new HttpError(
      code === 'EACCES' ? 403 : 404,
      'LocalFileError',
      `the daemon cannot read ${path} (${code ?? (err as Error).message})`
    )
  }
  if (!info.isFile()) throw new HttpError(400, 'LocalFileError', `${path} is not a regular file`)
}

export const localRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/version', handler: version },
  { method: 'GET', pattern: '/v1/files/:ref/capability', handler: capability },
  { method: 'POST', pattern: '/v1/uploads', handler: uploadPath }
]
