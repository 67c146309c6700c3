// The HTTP API's front door: every request must come to this API by name (Host, Origin) and is
// authenticated before anything else (an unknown
// path without the token is 401, not 404, so the API cannot be mapped without it), then routed;
// any failure becomes a JSON error body naming the problem.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DefsNode } from '@defs/node'
import { bearerMatches } from '../api-token.ts'
import type { DaemonLog } from '../daemon-log.ts'
import type { LoginThrottlePolicy } from '../login-throttle.ts'
import type { DaemonMetrics } from '../metrics.ts'
import { UserSessions } from '../user-sessions.ts'
import { dashboardRoutes } from './dashboard-routes.ts'
import { downloadRoutes } from './download-routes.ts'
import { eventRoutes } from './event-stream.ts'
import { fileRoutes } from './file-routes.ts'
import { errorStatus, HttpError } from './http-errors.ts'
import { localRoutes } from './local-routes.ts'
import { maintenanceRoutes } from './maintenance-routes.ts'
import { mirrorRoutes } from './mirror-routes.ts'
import { nodeRoutes } from './node-routes.ts'
import { pairRoutes } from './pair-routes.ts'
import { refusedOrigin } from './request-origin.ts'
import { sendError, sendJson } from './respond.ts'
import { type CompiledRoute, compileRoute, matchRoute } from './route.ts'
import { sessionRoutes, signInRoutes } from './session-routes.ts'
import { Sessions } from './sessions.ts'
import { taskRoutes } from './task-routes.ts'

export interface ApiHandlerOptions {
  node: DefsNode
  token: string
  metrics: DaemonMetrics
  log: DaemonLog
  /** Let users whose home is another node log in here (off by default). */
  allowExternalLogin?: boolean
  /** How failed passphrases slow the next tries; the defaults of login-throttle.ts when absent. */
  loginThrottle?: LoginThrottlePolicy
}

/** Reached without credentials: the dashboard's files (no data in them) and the sign-in. */
const publicRoutes: CompiledRoute[] = [...dashboardRoutes, ...signInRoutes].map(compileRoute)

const routes: CompiledRoute[] = [
  ...sessionRoutes,
  ...fileRoutes,
  ...downloadRoutes,
  ...maintenanceRoutes,
  ...taskRoutes,
  ...nodeRoutes,
  ...eventRoutes,
  ...mirrorRoutes,
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
  const auth = { token, sessions: new Sessions() }
  const users = new UserSessions({
    allowExternalLogin: options.allowExternalLogin ?? false,
    ...(options.loginThrottle === undefined ? {} : { loginThrottle: options.loginThrottle })
  })
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
    const foreign = refusedOrigin(req)
    if (foreign !== undefined) {
      label = 'forbidden'
      // Before the token: a page of another site learns nothing, not even whether it had one.
      sendJson(res, 403, { error: { ...foreign, status: 403 } }, { connection: 'close' })
      return
    }
    const url = new URL(req.url ?? '/', 'http://localhost')
    const open = publicRoutes.find(
      (r) => r.method === req.method && matchRoute(r, url.pathname) !== undefined
    )
    if (open !== undefined) {
      label = open.pattern
      const params = matchRoute(open, url.pathname)!
      open
        .handler({ req, res, url, params, node, metrics, log, auth, users })
        .catch((err: unknown) => fail(res, err))
      return
    }
    // The token as a bearer (the CLI, scripts), or a browser's session cookie (the dashboard).
    const bearer = bearerMatches(req.headers.authorization, token)
    const browser = bearer ? undefined : auth.sessions.of(req)
    if (!bearer && browser === undefined) {
      label = 'unauthorized'
      // Not a byte of the body is read and the connection is closed: an unauthenticated client
      // learns nothing and cannot make the daemon buffer anything.
      sendJson(res, 401, unauthorizedBody, { 'www-authenticate': 'Bearer realm="defs"', connection: 'close' })
      return
    }
    const signedInUser = browser?.user
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
        if (signedInUser !== undefined && route.forUsers !== true) {
          throw new HttpError(
            403,
            'OperatorOnlyError',
            `${req.method} ${route.pattern} is the operator's: a user signed in reaches only their own files (sign in with the node's API token for it)`
          )
        }
        const ctx = { req, res, url, params, node, metrics, log, auth, users }
        run = () => route.handler(signedInUser === undefined ? ctx : { ...ctx, signedInUser })
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
