// The node as a whole: status, peers (with scores), manual joins, and Prometheus metrics.
import { badRequest } from './http-errors.ts'
import { readJsonBody, sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

async function status(ctx: RequestContext): Promise<void> {
  const s = await ctx.node.status()
  sendJson(ctx.res, 200, { ...s, quota: { usedBytes: s.storedBytes, maxBytes: s.maxStorage } })
}

async function peers(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { peers: await ctx.node.peers.list() })
}

async function connect(ctx: RequestContext): Promise<void> {
  const { address } = await readJsonBody(ctx.req)
  if (typeof address !== 'string' || !address.startsWith('/')) {
    throw badRequest(
      `body.address must be a multiaddr like /ip4/127.0.0.1/tcp/4001/p2p/12D3..., got ${JSON.stringify(address)}`
    )
  }
  await ctx.node.peers.connect(address)
  sendJson(ctx.res, 200, { connected: address })
}

/** Trust a peer (`{ "peerId": "12D3...", "trusted": true }`): the operator's own nodes, a devnet. */
async function trust(ctx: RequestContext): Promise<void> {
  const { peerId, trusted } = await readJsonBody(ctx.req)
  if (typeof peerId !== 'string' || !/^[1-9A-HJ-NP-Za-km-z]{46,60}$/.test(peerId)) {
    throw badRequest(`body.peerId must be a peer id like 12D3KooW..., got ${JSON.stringify(peerId)}`)
  }
  if (trusted !== undefined && typeof trusted !== 'boolean') {
    throw badRequest(`body.trusted must be true or false, got ${JSON.stringify(trusted)}`)
  }
  await ctx.node.peers.trust(peerId, trusted ?? true)
  sendJson(ctx.res, 200, { peerId, trusted: trusted ?? true })
}

async function metrics(ctx: RequestContext): Promise<void> {
  await ctx.metrics.refresh(ctx.node)
  const text = await ctx.metrics.text()
  ctx.res.writeHead(200, { 'content-type': ctx.metrics.contentType, 'cache-control': 'no-store' })
  ctx.res.end(text)
}

export const nodeRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/status', handler: status },
  { method: 'GET', pattern: '/v1/peers', handler: peers },
  { method: 'POST', pattern: '/v1/peers', handler: connect },
  { method: 'POST', pattern: '/v1/peers/trust', handler: trust },
  { method: 'GET', pattern: '/metrics', handler: metrics }
]
