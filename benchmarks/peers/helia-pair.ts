// The Helia side of the devnet scenario: two Helia nodes over TCP on 127.0.0.1 (nothing else: no
// bootstrap list, no delegated routing, no HTTP gateways), `add` on one, `cat` on the other.
// Prints one JSON line with the timings. Run by benchmarks/scenarios/devnet.ts in its own process.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { unixfs } from '@helia/unixfs'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { FsBlockstore } from 'blockstore-fs'
import { MemoryDatastore } from 'datastore-core'
import { createHeliaLight } from 'helia'

const [file] = process.argv.slice(2) as [string]
const root = await mkdtemp(join(tmpdir(), 'helia-bench-'))

async function node(name: string) {
  const blockstore = new FsBlockstore(join(root, name))
  await blockstore.open()
  const light = createHeliaLight({ blockstore, datastore: new MemoryDatastore(), routers: [] })
  const withP2p = withLibp2pLight(light, {
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
  const helia = withBitswap(withP2p)
  await helia.start()
  return helia
}

try {
  const a = await node('a')
  const b = await node('b')
  await b.libp2p.dial(a.libp2p.getMultiaddrs()[0]!)
  const input = createHash('sha256')
  const t0 = performance.now()
  const cid = await unixfs(a).addByteStream(
    (async function* () {
      for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
        input.update(chunk as Buffer)
        yield chunk as Uint8Array
      }
    })()
  )
  const uploadMs = performance.now() - t0
  const output = createHash('sha256')
  let bytes = 0
  let ttfbMs = -1
  const t1 = performance.now()
  for await (const chunk of unixfs(b).cat(cid)) {
    if (ttfbMs < 0) ttfbMs = performance.now() - t1
    output.update(chunk)
    bytes += chunk.length
  }
  const downloadMs = performance.now() - t1
  const ok = input.digest('hex') === output.digest('hex')
  console.log(
    JSON.stringify({ ok, bytes, uploadMs, downloadMs, ttfbMs, rss: process.resourceUsage().maxRSS * 1024 })
  )
  await b.stop()
  await a.stop()
} finally {
  await rm(root, { recursive: true, force: true })
}
