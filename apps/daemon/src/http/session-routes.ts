// /v1/session: a browser trades the API token for a session cookie (POST, the one API route that
// takes no credentials but the token in its body) and ends it (DELETE).
import { bearerMatches } from '../api-token.ts'
import { HttpError } from './http-errors.ts'
import { readJsonBody, sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

async function signIn(ctx: RequestContext): Promise<void> {
  const { token } = await readJsonBody(ctx.req)
  if (typeof token !== 'string' || !bearerMatches(`Bearer ${token}`, ctx.auth.token))
    throw new HttpError(401, 'UnauthorizedError', 'missing or wrong API token')
  const { cookie, expires } = ctx.auth.sessions.create()
  sendJson(ctx.res, 200, { expires }, { 'set-cookie': cookie })
}

async function signOut(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { signedOut: true }, { 'set-cookie': ctx.auth.sessions.end(ctx.req.headers.cookie) })
}

/** Routes a request without credentials may reach. */
export const signInRoutes: Route[] = [{ method: 'POST', pattern: '/v1/session', handler: signIn }]
export const sessionRoutes: Route[] = [{ method: 'DELETE', pattern: '/v1/session', handler: signOut }]
