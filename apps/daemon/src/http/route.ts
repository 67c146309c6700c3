// What a route handler gets, and the route table's shape. Patterns are written like
// `/v1/files/:ref`; the same pattern string labels the route in metrics and logs, so a file's
// capability key in the URL never reaches either.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DefsNode } from '@defs/node'
import type { DaemonLog } from '../daemon-log.ts'
import type { DaemonMetrics } from '../metrics.ts'
import type { UserSessions } from '../user-sessions.ts'
import { badRequest } from './http-errors.ts'
import type { Sessions } from './sessions.ts'

export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  params: Record<string, string>
  node: DefsNode
  metrics: DaemonMetrics
  log: DaemonLog
  /** The API token and the browser sessions made from it. */
  auth: { token: string; sessions: Sessions }
  users: UserSessions
  /**
   * The user session a browser signed in as a user carries in its cookie: it stands for that user
   * in every route it may reach (and wins over an `x-defs-session` header).
   */
  signedInUser?: string
}

export type Handler = (ctx: RequestContext) => Promise<void>

export interface Route {
  method: string
  pattern: string
  handler: Handler
  /** A user's browser session may reach it: it acts for that user alone. Otherwise operator only. */
  forUsers?: true
}

export interface CompiledRoute extends Route {
  regex: RegExp
  names: string[]
}

export function compileRoute(route: Route): CompiledRoute {
  const names: string[] = []
  const source = route.pattern.replace(/:(\w+)/g, (_, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  return { ...route, regex: new RegExp(`^${source}$`), names }
}

/** Decoded path parameters of a match, or undefined when the path does not match. */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const m = route.regex.exec(path)
  if (m === null) return undefined
  const params: Record<string, string> = {}
  route.names.forEach((name, i) => {
    try {
      params[name] = decodeURIComponent(m[i + 1]!)
    } catch {
      throw badRequest(`path parameter ${name} is not valid percent-encoding`)
    }
  })
  return params
}
