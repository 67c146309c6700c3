// /v1/session: a browser signs in for a session cookie (POST, the one API route that takes no
// credentials but those in its body): with the API token (the operator's view of the node), or
// with a user's name and passphrase (that user's files, and nothing of the operator's). GET says
// which of the two a cookie is; DELETE ends it.
import { bearerMatches } from '../api-token.ts'
import { badRequest, HttpError } from './http-errors.ts'
import { openUserSession, sessionOf } from './mirror-routes.ts'
import { readJsonBody, sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

/** GET /v1/session: whom the request's credentials stand for. */
export type SessionInfo = { kind: 'operator' } | { kind: 'user'; name: string; user: string; expires: number }

async function signIn(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req)
  if (body.token !== undefined) {
    if (typeof body.token !== 'string' || !bearerMatches(`Bearer ${body.token}`, ctx.auth.token))
      throw new HttpError(401, 'UnauthorizedError', 'missing or wrong API token')
    const { cookie, expires } = ctx.auth.sessions.create(ctx.req)
    sendJson(ctx.res, 200, { kind: 'operator', expires }, { 'set-cookie': cookie })
    return
  }
  if (body.user === undefined)
    throw badRequest('body must carry token (the API token), or user and passphrase (a user of this node)')
  const { summary, session } = await openUserSession(ctx, body)
  const { cookie } = ctx.auth.sessions.create(ctx.req, session.token)
  sendJson(
    ctx.res,
    200,
    { kind: 'user', name: summary.name, user: summary.user, expires: session.expires },
    { 'set-cookie': cookie }
  )
}

async function whoami(ctx: RequestContext): Promise<void> {
  if (ctx.signedInUser === undefined) {
    sendJson(ctx.res, 200, { kind: 'operator' } satisfies SessionInfo)
    return
  }
  const { name, user, expires } = sessionOf(ctx)
  sendJson(ctx.res, 200, { kind: 'user', name, user, expires } satisfies SessionInfo)
}

async function signOut(ctx: RequestContext): Promise<void> {
  const { cookie, ended } = ctx.auth.sessions.end(ctx.req)
  if (ended?.user !== undefined) ctx.users.close(ended.user)
  sendJson(ctx.res, 200, { signedOut: true }, { 'set-cookie': cookie })
}

/** Routes a request without credentials may reach. */
export const signInRoutes: Route[] = [{ method: 'POST', pattern: '/v1/session', handler: signIn }]
export const sessionRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/session', handler: whoami, forUsers: true },
  { method: 'DELETE', pattern: '/v1/session', handler: signOut, forUsers: true }
]
