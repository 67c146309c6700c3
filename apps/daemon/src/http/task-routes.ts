// /v1/tasks: the node's persisted uploads, downloads and repairs, and the three things a user
// may do to one. Pause and cancel take effect at the task's next consistent point.
import type { TaskRecord } from '@defs/node'
import { sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

async function list(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { tasks: ctx.node.tasks.list() })
}

async function one(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, ctx.node.tasks.get(ctx.params.id!))
}

function action(run: (ctx: RequestContext) => Promise<TaskRecord>) {
  return async (ctx: RequestContext) => sendJson(ctx.res, 200, await run(ctx))
}

export const taskRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/tasks', handler: list },
  { method: 'GET', pattern: '/v1/tasks/:id', handler: one },
  {
    method: 'POST',
    pattern: '/v1/tasks/:id/pause',
    handler: action((ctx) => ctx.node.tasks.pause(ctx.params.id!))
  },
  {
    method: 'POST',
    pattern: '/v1/tasks/:id/resume',
    handler: action((ctx) => ctx.node.tasks.resume(ctx.params.id!))
  },
  {
    method: 'POST',
    pattern: '/v1/tasks/:id/cancel',
    handler: action((ctx) => ctx.node.tasks.cancel(ctx.params.id!))
  }
]
