// /v1/downloads: a file (or a range) written to a path on this machine by the node itself, as a
// persisted task: it survives a pause, a crash or a restart of the daemon and resumes at the next
// slice, and its progress is the task's (GET /v1/tasks/:id). The same task the library's
// node.files.get runs; the streaming GET /v1/files/:ref is for pipes.
import { isAbsolute } from 'node:path'
import { badRequest } from './http-errors.ts'
import { readJsonBody, sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

async function start(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req)
  const { ref, path, range } = body
  if (typeof ref !== 'string' || ref.length === 0) {
    throw badRequest(`body.ref must be a file id or a capability, got ${JSON.stringify(ref)}`)
  }
  if (typeof path !== 'string' || !isAbsolute(path)) {
    throw badRequest(`body.path must be an absolute path to write the file to, got ${JSON.stringify(path)}`)
  }
  const task = await ctx.node.files.download(ref, path, range === undefined ? {} : { range: rangeOf(range) })
  sendJson(ctx.res, 202, task, { location: `/v1/tasks/${task.id}` })
}

function rangeOf(value: unknown): { offset: number; length: number } {
  const r = value as { offset?: unknown; length?: unknown }
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0
  if (typeof value !== 'object' || value === null || !ok(r.offset) || !ok(r.length)) {
    throw badRequest(
      `body.range must be { offset, length } of non-negative integers, got ${JSON.stringify(value)}`
    )
  }
  return { offset: r.offset, length: r.length }
}

export const downloadRoutes: Route[] = [{ method: 'POST', pattern: '/v1/downloads', handler: start }]
