// A minimal request/response protocol built on net's protocol kit: one frame in, the same text in
// upper case out, with caps on both ends, a per-peer stream bound and a deadline.
// Run: node --conditions=@defs/source packages/net/examples/request-response.ts
import { createHost, handleRequests, type ServiceComponents, sendRequest } from '@defs/net'
import type { PeerId } from '@libp2p/interface'

const UPPER = '/defs/example/upper/1'
const [enc, dec] = [new TextEncoder(), new TextDecoder()]
const upper = (c: ServiceComponents) => ({
  start: () =>
    handleRequests(c.registrar, UPPER, async (req) => enc.encode(dec.decode(req).toUpperCase()), {
      maxRequestBytes: 1024
    }),
  stop: () => c.registrar.unhandle(UPPER),
  ask: (peer: PeerId, text: string) =>
    sendRequest(c.connectionManager, peer, UPPER, enc.encode(text), { maxResponseBytes: 1024 })
})
const [a, b] = await Promise.all([1, 2].map(() => createHost({ host: '127.0.0.1', services: { upper } })))
await b!.dial(a!.getMultiaddrs()[0]!)
console.log(dec.decode(await b!.services.upper.ask(a!.peerId, 'hello'))) // HELLO
await Promise.all([a!.stop(), b!.stop()])
