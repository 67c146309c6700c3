// The node's pair: `GET /v1/pair` (partner, epoch, health, heartbeat RTT and phi, whether the
// partners' inventories agree and what the partner lacks until they sync, migrations) and
// `POST /v1/pair` `{ "with": "12D3..." }` (an operator's choice of partner). A node started
// without pairing answers `{ "enabled": false }` and refuses the choice with 409.
// `GET /v1/pair/:peer`: any peer's pairing record as the DHT has it, checked (signed by both
// peers it names; not older than one this node has seen: RollbackError, 502).
import type { NodePairing } from '@defs/node'
import { peerIdFromString } from '@libp2p/peer-id'
import { badRequest, HttpError } from './http-errors.ts'
import { readJsonBody, sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

/** The node's pairing service, if it runs one. */
export function pairingOf(ctx: Pick<RequestContext, 'node'>): NodePairing | undefined {
  return (ctx.node.services as { pairing?: NodePairing } | undefined)?.pairing
}

/** What `GET /v1/pair` answers, as the CLI and the metrics read it. */
export function pairReport(ctx: Pick<RequestContext, 'node'>): Record<string, unknown> {
  const pairing = pairingOf(ctx)
  if (pairing === undefined) return { enabled: false }
  return {
    enabled: true,
    ...pairing.service.status(),
    backlog: pairing.backlog(),
    migrations: migrationsOf(ctx.node)
  }
}

/** The node's migrate tasks not yet finished (queued, running or paused), as GET /v1/pair lists them. */
export function migrationsOf(node: RequestContext['node']) {
  return node.tasks
    .list()
    .filter(
      (t) => t.kind === 'migrate' && (t.state === 'queued' || t.state === 'running' || t.state === 'paused')
    )
    .map((t) => ({
      id: t.id,
      state: t.state,
      partner: (t.params as { partner: string }).partner,
      shardsDone: t.progress.shardsDone
    }))
}

async function status(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, pairReport(ctx))
}

/** A peer id as text, checked, or a 400 naming `what`. */
function peerIdText(value: unknown, what: string): string {
  if (typeof value !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{46,60}$/.test(value)) {
    throw badRequest(`${what} must be a peer id like 12D3KooW..., got ${JSON.stringify(value)}`)
  }
  return value
}

async function lookup(ctx: RequestContext): Promise<void> {
  const peer = peerIdText(ctx.params.peer, 'the peer in /v1/pair/:peer')
  const found = await ctx.node.peers.pairing(peer)
  if (found === undefined) {
    sendJson(ctx.res, 200, { peer, found: false })
    return
  }
  const partner = found.peers[0] === peer ? found.peers[1] : found.peers[0]
  sendJson(ctx.res, 200, { peer, found: true, partner, ...found })
}

async function pairWith(ctx: RequestContext): Promise<void> {
  const body = await readJsonBody(ctx.req)
  const peer = peerIdText(body.with, 'body.with')
  const pairing = pairingOf(ctx)
  if (pairing === undefined)
    throw new HttpError(409, 'PairingDisabledError', 'this node runs without pairing')
  const formed = await pairing.service.pairWith(peerIdFromString(peer))
  sendJson(ctx.res, 200, { partner: peer, epoch: formed.record.epoch })
}

export const pairRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/pair', handler: status },
  { method: 'POST', pattern: '/v1/pair', handler: pairWith },
  { method: 'GET', pattern: '/v1/pair/:peer', handler: lookup }
]
