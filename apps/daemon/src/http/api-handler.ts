// The HTTP API's front door: every request is authenticated before anything else (an unknown
// path without the token is 401, not 404, so the API cannot be mapped without it), then routed;
// any failure becomes a JSON error body naming the problem.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DefsNode } from '@defs/node'
import { bearerMatches } from '../api-token.ts'
import type { DaemonLog } from '../daemon-log.ts'
import type { DaemonMetrics } from '../metrics.ts'
import { downloadRoutes } from './download-routes.ts'
import { fileRoutes } from './file-routes.ts'
import { errorStatus, HttpError } from './http-errors.ts'
import { localRoutes } from './local-routes.ts'
import { maintenanceRoutes } from './maintenance-routes.ts'
import { nodeRoutes } from './node-routes.ts'
import { pairRoutes } from './pair-routes.ts'
import { sendError, sendJson } from './respond.ts'
import { type CompiledRoute, compileRoute, matchRoute } from './route.ts'
import { taskRoutes } from './task-routes.ts'

export interface ApiHandlerOptions {
  node: DefsNode
  token: string
  metrics: DaemonMetrics
  log: DaemonLog
}

const routes: CompiledRoute[] = [
  ...fileRoutes,
  ...downloadRoutes,
  ...maintenanceRoutes,
  ...taskRoutes,
  ...nodeRoutes,
  ...pairRoutes,
  ...localRoutes
].map(compileRoute)

const unauthorizedBody = {
  error: { name: 'UnauthorizedError', message: 'missing or wrong API token', status: 401 }
}

export function createApiHandler(
  options: ApiHandlerOptions
): (req: IncomingMessage, res: ServerResponse) => void {
  const { node, token, metrics, log } = options
  return (req, res) => {
    const started = performance.now()
    let label = 'unmatched'
    res.on('finish', () => {
      metrics.request(req.method ?? '', label, res.statusCode, (performance.now() - started) / 1000)
      log.info('request', {
        method: req.method,
        route: label,
        status: res.statusCode,
        ms: Math.round(performance.now() - started)
      })
    })
    if (!bearerMatches(req.headers.authorization, token)) {
      label = 'unauthorized'
      // Not a byte of the body is read and the connection is closed: an unauthenticated client
      // learns nothing and cannot make the daemon buffer anything.
      sendJson(res, 401, unauthorizedBody, { 'www-authenticate': 'Bearer realm="defs"', connection: 'close' })
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    let run: (() => Promise<void>) | undefined
    try {
      const allowed: string[] = []
      for (const route of routes) {
        const params = matchRoute(route, url.pathname)
        if (params === undefined) continue
        if (route.method !== req.method) {
          allowed.push(route.method)
          continue
        }
        label = route.pattern
        run = () => route.handler({ req, res, url, params, node, metrics, log })
        break
      }
      if (run === undefined && allowed.length > 0) {
        throw new HttpError(
          405,
          'MethodNotAllowedError',
          `${req.method} is not allowed on ${url.pathname}; use ${allowed.join(', ')}`,
          {
            allow: allowed.join(', ')
          }
        )
      }
      if (run === undefined)
        throw new HttpError(404, 'RouteNotFoundError', `no API route ${req.method} ${url.pathname}`)
    } catch (err) {
      fail(res, err)
      return
    }
    run().catch((err: unknown) => fail(res, err))
  }

  function fail(res: ServerResponse, err: unknown): void {
    const status = errorStatus(err)
    metrics.error((err as Error)?.name ?? 'Error')
    if (status >= 500) log.error('request_failed', err)
    if (res.headersSent) {
      // Too late for a status code: cutting the stream is the only honest signal left.
      res.destroy(err as Error)
      return
    }
    sendError(res, err)
  }
}
