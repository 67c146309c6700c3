// Users and mirrors: /v1/users (create, list), /v1/login (a session for one user),
// /v1/users/me/tree (that user's tree, with `x-defs-session`), /v1/users/me/shares (grant a friend
// a file of it; /revoke takes the grant back), /v1/users/me/shared (what friends granted), /v1/users/me/files/:ref (the
// capability of a name or id the user reaches), /v1/users/:user/root (their newest root, from
// home or, when it does not answer, a mirror, and which), /v1/users/:user/move-home (signed
// with the user's passphrase alone), /v1/mirrors (add one, status with lag), and recovery:
// /v1/users/me/recovery (split the session user's key among friends), /v1/users/me/recovery-share
// (a friend's share of another user, opened with the session key), /v1/users/:user/recover.
import { userMirrors } from '@defs/node'
import { badRequest, HttpError } from './http-errors.ts'
import { readJsonBody, sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

export function text(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (typeof value !== 'string' || value.length === 0) {
    throw badRequest(`body.${field} must be a non-empty string, got ${JSON.stringify(value)}`)
  }
  return value
}

async function list(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { users: await userMirrors(ctx.node).users() })
}

async function create(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req)
  sendJson(ctx.res, 201, await userMirrors(ctx.node).createUser(text(body, 'name'), text(body, 'passphrase')))
}

/**
 * A user session for body.user with body.passphrase (WrongPassphraseError, UnknownUserError),
 * throttled: LoginThrottledError after repeated failures, before the passphrase is checked.
 */
export async function openUserSession(ctx: RequestContext, body: Record<string, unknown>) {
  const user = text(body, 'user')
  const passphrase = text(body, 'passphrase')
  const { key, summary } = await withPassphrase(ctx, user, () =>
    userMirrors(ctx.node).login(user, passphrase, {
      allowExternalLogin: ctx.users.policy.allowExternalLogin
    })
  )
  return { summary, session: ctx.users.open(summary.name, summary.user, key) }
}

/** `check` (that opens `user`'s key with a passphrase) through the daemon's login throttle, keyed by the account's id. */
async function withPassphrase<T>(ctx: RequestContext, user: string, check: () => Promise<T>): Promise<T> {
  const account = (await userMirrors(ctx.node).users()).find((u) => u.name === user || u.user === user)
  return ctx.users.throttle.attempt(account?.user ?? user, user, check)
}

async function login(ctx: RequestContext): Promise<void> {
  const { summary, session } = await openUserSession(ctx, await readJsonBody(ctx.req))
  sendJson(ctx.res, 200, { ...summary, session: session.token, expires: session.expires })
}

/** The request's user session (a user's browser cookie, else x-defs-session); 401 when it carries none or a dead one. */
export function sessionOf(ctx: RequestContext) {
  const header = ctx.signedInUser ?? ctx.req.headers['x-defs-session']
  const session = ctx.users.get(typeof header === 'string' ? header : undefined)
  if (session === undefined) {
    throw new HttpError(
      401,
      'SessionRequiredError',
      'x-defs-session must carry a live session from defs login'
    )
  }
  return session
}

async function tree(ctx: RequestContext): Promise<void> {
  const session = sessionOf(ctx)
  sendJson(ctx.res, 200, { name: session.name, ...(await userMirrors(ctx.node).tree(session.key)) })
}

/** The session when the request names one (a dead one is 401, never the node's files instead). */
export function sessionIfGiven(ctx: RequestContext) {
  return ctx.signedInUser === undefined && ctx.req.headers['x-defs-session'] === undefined
    ? undefined
    : sessionOf(ctx)
}

async function share(ctx: RequestContext): Promise<void> {
  const session = sessionOf(ctx)
  const body = await readJsonBody(ctx.req)
  sendJson(
    ctx.res,
    200,
    await userMirrors(ctx.node).share(session.key, text(body, 'file'), text(body, 'with'))
  )
}

async function revokeShare(ctx: RequestContext): Promise<void> {
  const session = sessionOf(ctx)
  const body = await readJsonBody(ctx.req)
  sendJson(
    ctx.res,
    200,
    await userMirrors(ctx.node).revoke(session.key, text(body, 'file'), text(body, 'with'))
  )
}

async function shared(ctx: RequestContext): Promise<void> {
  const session = sessionOf(ctx)
  sendJson(ctx.res, 200, { name: session.name, files: await userMirrors(ctx.node).shared(session.key) })
}

async function findFile(ctx: RequestContext): Promise<void> {
  const session = sessionOf(ctx)
  sendJson(ctx.res, 200, await userMirrors(ctx.node).capabilityOf(session.key, ctx.params.ref!))
}

async function setupRecovery(ctx: RequestContext): Promise<void> {
  const session = sessionOf(ctx)
  const { threshold, friends } = await readJsonBody(ctx.req)
  if (!Number.isInteger(threshold) || (threshold as number) < 1 || (threshold as number) > 255) {
    throw badRequest(`body.threshold must be an integer 1..255, got ${JSON.stringify(threshold)}`)
  }
  if (!Array.isArray(friends) || friends.length === 0 || friends.some((f) => typeof f !== 'string')) {
    throw badRequest(`body.friends must be a list of user ids or names, got ${JSON.stringify(friends)}`)
  }
  sendJson(
    ctx.res,
    200,
    await userMirrors(ctx.node).setupRecovery(session.key, threshold as number, friends as string[])
  )
}

async function recoveryShare(ctx: RequestContext): Promise<void> {
  const session = sessionOf(ctx)
  const body = await readJsonBody(ctx.req)
  sendJson(ctx.res, 200, await userMirrors(ctx.node).recoveryShare(text(body, 'of'), session.key))
}

async function recover(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req)
  if (!Array.isArray(body.shares))
    throw badRequest('body.shares must be a list of shares from defs user recovery share')
  const recovered = await userMirrors(ctx.node).recover(
    ctx.params.user!,
    body.shares as never,
    text(body, 'passphrase')
  )
  sendJson(ctx.res, 200, recovered)
}

async function moveHome(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req)
  const [user, passphrase, to] = [ctx.params.user!, text(body, 'passphrase'), text(body, 'to')]
  const moved = await withPassphrase(ctx, user, () => userMirrors(ctx.node).moveHome(user, passphrase, to))
  sendJson(ctx.res, 200, moved)
}

async function mirrors(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { mirrors: userMirrors(ctx.node).status() })
}

async function root(ctx: RequestContext): Promise<void> {
  const mirrors = ctx.url.searchParams.getAll('mirror')
  sendJson(ctx.res, 200, await userMirrors(ctx.node).root(ctx.params.user!, mirrors))
}

async function addMirror(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req)
  sendJson(ctx.res, 200, await userMirrors(ctx.node).add(text(body, 'user'), text(body, 'from')))
}

export const mirrorRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/users', handler: list },
  { method: 'POST', pattern: '/v1/users', handler: create },
  { method: 'POST', pattern: '/v1/login', handler: login },
  { method: 'GET', pattern: '/v1/users/me/tree', handler: tree, forUsers: true },
  { method: 'POST', pattern: '/v1/users/me/shares', handler: share, forUsers: true },
  { method: 'POST', pattern: '/v1/users/me/shares/revoke', handler: revokeShare, forUsers: true },
  { method: 'GET', pattern: '/v1/users/me/shared', handler: shared, forUsers: true },
  { method: 'GET', pattern: '/v1/users/me/files/:ref', handler: findFile, forUsers: true },
  { method: 'GET', pattern: '/v1/users/:user/root', handler: root },
  { method: 'POST', pattern: '/v1/users/:user/move-home', handler: moveHome },
  { method: 'POST', pattern: '/v1/users/me/recovery', handler: setupRecovery, forUsers: true },
  { method: 'POST', pattern: '/v1/users/me/recovery-share', handler: recoveryShare, forUsers: true },
  { method: 'POST', pattern: '/v1/users/:user/recover', handler: recover },
  { method: 'GET', pattern: '/v1/mirrors', handler: mirrors },
  { method: 'POST', pattern: '/v1/mirrors', handler: addMirror }
]
