// /v1/maintenance: switch maintenance mode on or off (`{ "on": true }`) and read its state. With
// `?progress`, the answer is NDJSON: a line per step while tasks reach consistent points and
// pause (or resume), then the record. Both directions are idempotent; calls are taken one at a time.
import type { MaintenanceProgress } from '@defs/node'
import { badRequest, errorBody } from './http-errors.ts'
import { readJsonBody, sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

async function status(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, await ctx.node.maintenance.status())
}

async function change(ctx: RequestContext): Promise<void> {
  const { on } = await readJsonBody(ctx.req)
  if (typeof on !== 'boolean') throw badRequest(`body.on must be true or false, got ${JSON.stringify(on)}`)
  const progress = ctx.url.searchParams.has('progress')
  const { res } = ctx
  const onProgress = (p: MaintenanceProgress): void => {
    if (!progress) return
    if (!res.headersSent)
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' })
    res.write(`${JSON.stringify({ progress: p })}\n`)
  }
  try {
    const record = on
      ? await ctx.node.maintenance.on({ onProgress })
      : await ctx.node.maintenance.off({ onProgress })
    if (res.headersSent) res.end(`${JSON.stringify({ result: record })}\n`)
    else sendJson(res, 200, record)
  } catch (err) {
    if (!res.headersSent) throw err
    res.end(`${JSON.stringify(errorBody(err))}\n`)
  }
}

export const maintenanceRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/maintenance', handler: status },
  { method: 'POST', pattern: '/v1/maintenance', handler: change }
]
