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
  { method: 'GET', pattern: '/metrics', handler: metrics }
]
