// The example of src/index.ts and the README: two hosts on 127.0.0.1 form a pair.
// Run: node --conditions=@defs/source packages/pairing/examples/pair-two.ts
import { createHost } from '@defs/net'
import { MemoryPairStore, PairingService } from '@defs/pairing'
import { generateKeyPair } from '@libp2p/crypto/keys'

async function pairNode() {
  const privateKey = await generateKeyPair('Ed25519')
  const host = await createHost({ host: '127.0.0.1', privateKey })
  const streams = { openStream: host.dialProtocol.bind(host) }
  const pair = new PairingService({
    peerId: host.peerId,
    privateKey,
    registrar: host,
    streams,
    peers: () => host.getPeers(),
    store: new MemoryPairStore(),
    logger: host.logger,
    autoPair: false
  })
  await pair.start()
  return { host, pair }
}
const [a, b] = await Promise.all([pairNode(), pairNode()])
await b.host.dial(a.host.getMultiaddrs()[0]!)
const pairing = await b.pair.pairWith(a.host.peerId) // both sides signed it
console.log(pairing.record.epoch, a.pair.partner()?.equals(b.host.peerId)) // 1 true
await Promise.all([a.pair.stop(), b.pair.stop()])
await Promise.all([a.host.stop(), b.host.stop()])
