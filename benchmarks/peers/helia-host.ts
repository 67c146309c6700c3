// One Helia node as a process (one per testbed host, or several on 127.0.0.1), driven by JSON
// lines on stdin, each answered by one JSON line on stdout:
//   {"op":"addr"}                 -> {"addr": multiaddr with /p2p/}
//   {"op":"dial","addr":...}      -> {"ok":true}
//   {"op":"add","file":...}       -> {"cid", "ms", "sha256", "bytes"}   (addByteStream, local)
//   {"op":"cat","cid":...}        -> {"ms", "ttfbMs", "sha256", "bytes"} (over bitswap)
// Like helia-pair.ts: no bootstrap list, no delegated routing, no gateways; blocks on disk.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { withBitswap } from '@helia/bitswap'
import { withLibp2pLight } from '@helia/libp2p'
import { unixfs } from '@helia/unixfs'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { FsBlockstore } from 'blockstore-fs'
import { MemoryDatastore } from 'datastore-core'
import { createHeliaLight } from 'helia'
import { CID } from 'multiformats/cid'

const listen = process.argv[2] ?? '/ip4/127.0.0.1/tcp/0'
const root = await mkdtemp(join(tmpdir(), 'defs-helia-host-'))
const blockstore = new FsBlockstore(join(root, 'blocks'))
await blockstore.open()
const light = createHeliaLight({ blockstore, datastore: new MemoryDatastore(), routers: [] })
const helia = withBitswap(
  withLibp2pLight(light, {
    addresses: { listen: [listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
)
await helia.start()
const fs = unixfs(helia)

type Command = { op: string; addr?: string; file?: string; cid?: string }

async function handle(c: Command): Promise<unknown> {
  if (c.op === 'addr') return { addr: helia.libp2p.getMultiaddrs()[0]!.toString() }
  if (c.op === 'dial') {
    await helia.libp2p.dial(multiaddr(c.addr!))
    return { ok: true }
  }
  if (c.op === 'add') {
    const hash = createHash('sha256')
    let bytes = 0
    const t0 = performance.now()
    const cid = await fs.addByteStream(
      (async function* () {
        for await (const chunk of createReadStream(c.file!, { highWaterMark: 1 << 20 })) {
          hash.update(chunk as Buffer)
          bytes += (chunk as Buffer).length
          yield chunk as Uint8Array
        }
      })()
    )
    return { cid: cid.toString(), ms: performance.now() - t0, sha256: hash.digest('hex'), bytes }
  }
  if (c.op === 'cat') {
    const hash = createHash('sha256')
    let bytes = 0
    let ttfbMs: number | undefined
    const t0 = performance.now()
    for await (const chunk of fs.cat(CID.parse(c.cid!))) {
      ttfbMs ??= performance.now() - t0
      hash.update(chunk)
      bytes += chunk.length
    }
    return { ms: performance.now() - t0, ttfbMs, sha256: hash.digest('hex'), bytes }
  }
  throw new Error(`unknown op ${c.op}`)
}

const lines = createInterface({ input: process.stdin })
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`)
for await (const line of lines) {
  try {
    process.stdout.write(`${JSON.stringify(await handle(JSON.parse(line)))}\n`)
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: (err as Error).message })}\n`)
  }
}
await helia.stop()
await rm(root, { recursive: true, force: true })
