// /v1/files: uploads stream the request body into node.files.put (a user's put with a user
// session, see user-put.ts), downloads stream a file opened
// once (node.files.open: manifest and key resolved one time) into the response, both with
// backpressure: the daemon holds one chunk at a time, whatever the file size.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type TaskProgress, userMirrors } from '@defs/node'
import { errorBody, HttpError } from './http-errors.ts'
import { sessionIfGiven } from './mirror-routes.ts'
import { contentRange, parseRange } from './range.ts'
import { sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'
import { parseUploadQuery } from './upload-query.ts'
import { putForRequest } from './user-put.ts'

/** How often an NDJSON upload reports progress, at most. */
const progressIntervalMs = 200

async function upload(ctx: RequestContext): Promise<void> {
  const { req, res, metrics } = ctx
  const { options, progress } = parseUploadQuery(ctx.url.searchParams, req.headers['content-length'])
  const body = countBytes(req, (n) => metrics.received(n))
  let lastReport = 0
  // Headers go out with the first progress line, so an error before any progress (bad code,
  // too few peers) still answers with its own status code.
  const onProgress = (p: TaskProgress) => {
    const now = Date.now()
    if (!progress || now - lastReport < progressIntervalMs) return
    lastReport = now
    if (!res.headersSent)
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
    res.write(`${JSON.stringify({ progress: p })}\n`)
  }
  try {
    const result = await putForRequest(ctx, body, { ...options, onProgress })
    if (res.headersSent) res.end(`${JSON.stringify({ result })}\n`)
    else if (progress) sendNdjson(ctx, { result })
    else sendJson(res, 201, result, { location: `/v1/files/${result.fileId}` })
  } catch (err) {
    if (!res.headersSent) {
      // The body may be unread; closing the connection stops the client from sending the rest.
      res.setHeader('connection', 'close')
      throw err
    }
    ctx.metrics.error((err as Error)?.name ?? 'Error')
    ctx.log.error('upload_failed', err)
    res.end(`${JSON.stringify(errorBody(err))}\n`)
  }
}

function sendNdjson(ctx: RequestContext, line: unknown): void {
  ctx.res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
  ctx.res.end(`${JSON.stringify(line)}\n`)
}

async function* countBytes(
  source: AsyncIterable<Uint8Array>,
  count: (n: number) => void
): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    count(chunk.length)
    yield chunk
  }
}

/**
 * What a download reads. Without a session, the node's ref as given. With one (a user's browser
 * cookie, or x-defs-session), only what that user reaches: a name or file id of their tree or of a
 * file shared with them (another user's file, or a node file, is UnknownFileError), or a
 * capability, which carries its key and so is the right to read it, as the CLI's refs are.
 */
async function refToRead(ctx: RequestContext): Promise<string> {
  const ref = ctx.params.ref!
  const session = sessionIfGiven(ctx)
  if (session === undefined || ref.startsWith('defs:')) return ref
  return (await userMirrors(ctx.node).capabilityOf(session.key, ref)).capability
}

async function download(ctx: RequestContext): Promise<void> {
  const { req, res, node } = ctx
  const file = await node.files.open(await refToRead(ctx))
  const info = file.info
  const range = parseRange(req.headers.range, info.size)
  const headers: Record<string, string | number> = {
    'content-type': 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
    'x-defs-file-id': info.fileId
  }
  // `?download`: a browser saves it under its stored name (a link on the dashboard).
  if (ctx.url.searchParams.has('download'))
    headers['content-disposition'] =
      `attachment; filename*=UTF-8''${encodeURIComponent(info.name || info.fileId)}`
  if (range.kind === 'unsatisfiable') {
    throw new HttpError(
      416,
      'RangeNotSatisfiableError',
      `range ${req.headers.range} is outside the file (${info.size} bytes)`,
      {
        'content-range': `bytes */${info.size}`
      }
    )
  }
  const offset = range.kind === 'partial' ? range.offset : 0
  const length = range.kind === 'partial' ? range.length : info.size
  if (range.kind === 'partial') headers['content-range'] = contentRange(offset, length, info.size)
  headers['content-length'] = length
  const status = range.kind === 'partial' ? 206 : 200
  if (req.method === 'HEAD' || length === 0) {
    res.writeHead(status, headers)
    res.end()
    return
  }
  const chunks = file.read({
    ...(range.kind === 'partial' ? { range: { offset, length } } : {}),
    onResult: (result) => {
      ctx.metrics.read(result)
      if (result.slicesReconstructed > 0 || result.badPeers.length > 0) {
        ctx.log.info('read_rebuilt', {
          fileId: result.fileId,
          slicesRead: result.slicesRead,
          slicesReconstructed: result.slicesReconstructed,
          badPeers: result.badPeers
        })
      }
    }
  })
  const iterator = chunks[Symbol.asyncIterator]()
  // Read the first chunk before the status line: a file whose first slice cannot be recovered
  // answers with a JSON error, not a 200 cut short. A later failure can only cut the stream;
  // the client sees fewer bytes than Content-Length and may retry from there with a Range.
  const first = await iterator.next()
  res.writeHead(status, headers)
  const metrics = ctx.metrics
  async function* rest(): AsyncIterable<Uint8Array> {
    try {
      if (!first.done) {
        metrics.served(first.value.length)
        yield first.value
      }
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        metrics.served(next.value.length)
        yield next.value
      }
    } finally {
      await iterator.return?.()
    }
  }
  try {
    await pipeline(Readable.from(rest(), { objectMode: false }), res)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') {
      ctx.metrics.error((err as Error)?.name ?? 'Error')
      ctx.log.error('download_cut', err, { fileId: info.fileId })
    }
  }
}

async function list(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { files: await ctx.node.files.list() })
}

async function info(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, await ctx.node.files.stat(ctx.params.ref!))
}

async function health(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, await ctx.node.files.check(ctx.params.ref!))
}

async function remove(ctx: RequestContext): Promise<void> {
  // With a user session: a file of that user's tree, taken out of it and deleted with their key.
  const session = sessionIfGiven(ctx)
  if (session !== undefined)
    return sendJson(ctx.res, 200, await userMirrors(ctx.node).removeFile(session.key, ctx.params.ref!))
  sendJson(ctx.res, 200, await ctx.node.files.rm(ctx.params.ref!))
}

export const fileRoutes: Route[] = [
  // A user's browser session uploads into that user's tree (putForRequest), never as the node.
  { method: 'POST', pattern: '/v1/files', handler: upload, forUsers: true },
  { method: 'GET', pattern: '/v1/files', handler: list },
  // A user's session reads only what it reaches (refToRead).
  { method: 'GET', pattern: '/v1/files/:ref', handler: download, forUsers: true },
  { method: 'HEAD', pattern: '/v1/files/:ref', handler: download, forUsers: true },
  { method: 'DELETE', pattern: '/v1/files/:ref', handler: remove },
  { method: 'GET', pattern: '/v1/files/:ref/info', handler: info },
  { method: 'GET', pattern: '/v1/files/:ref/health', handler: health }
]
