// A user's home in its own process, a mirror and a reader beside three storage nodes: the mirror
// copies the user (counted), the home is SIGKILLed, the root and every file are read through the
// mirror (the storage nodes stopped too), the user moves home to the mirror alone and writes
// there, the old home restarted refuses the user's writes, and replayed old records are refused.
// What the mirror keeps on disk holds no plaintext of the files.
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { decodePublicKey, importSigningKey } from '@defs/crypto'
import { sealTree, signHome, signNextRoot } from '@defs/mirror'
import { peerIdFromString } from '@libp2p/peer-id'
import { createNode, type DefsNode, mirrorOf } from '../src/index.ts'
import { startNetwork, type TestNetwork, waitFor } from './network/devnet.ts'

const child = fileURLToPath(new URL('./fixtures/mirror-home-child.ts', import.meta.url))
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

interface Ready {
  peerId: string
  addresses: string[]
  user: string
  files: { fileId: string; capability: string }[]
}

/** Runs the home fixture; resolves with its first JSON line (60 s at most) and the process. */
async function runHome(args: string[]): Promise<{ proc: ChildProcess; line: Record<string, unknown> }> {
  const proc = spawn(process.execPath, ['--conditions=@defs/source', child, ...args], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const deadline = setTimeout(() => proc.kill('SIGKILL'), 60_000)
  try {
    for await (const text of createInterface({ input: proc.stdout! })) {
      return { proc, line: JSON.parse(text) as Record<string, unknown> }
    }
  } finally {
    clearTimeout(deadline)
  }
  throw new Error('the home fixture exited without a line')
}

const cleanup: (() => Promise<unknown>)[] = []
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {})
})

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const p of stream) parts.push(p)
  return Buffer.concat(parts)
}

describe('mirror failover across processes', { timeout: 180_000 }, () => {
  it('reads through the mirror with the home SIGKILLed, moves home alone, and the old home refuses writes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'defs-mirror-'))
    cleanup.push(() => rm(root, { recursive: true, force: true }))
    const net: TestNetwork = await startNetwork(3)
    cleanup.push(() => net.stop())
    const mirror: DefsNode = await createNode({
      dataDir: join(root, 'mirror'),
      workerNum: 1,
      bootstrap: net.nodes[0]!.addresses()
    })
    cleanup.push(() => mirror.stop())
    for (const n of net.nodes) {
      await mirror.peers.connect(n.addresses()[0]!)
      await n.peers.trust(mirror.peerId)
      await mirror.peers.trust(n.peerId)
    }

    const contents = [randomBytes(300_000), randomBytes(70_000)]
    const paths = await Promise.all(
      contents.map(async (bytes, i) => {
        const path = join(root, `file-${i}`)
        await writeFile(path, bytes)
        return path
      })
    )
    const homeDir = join(root, 'home')
    const bootstrap = JSON.stringify([...net.nodes.map((n) => n.addresses()[0]!), mirror.addresses()[0]!])
    const home = await runHome(['publish', homeDir, bootstrap, ...paths])
    let homeAlive = true
    cleanup.push(async () => homeAlive && home.proc.kill('SIGKILL'))
    const ready = home.line as unknown as Ready
    assert.equal(ready.files.length, 2)
    const user = decodePublicKey(Buffer.from(ready.user, 'hex'))
    const homePeer = peerIdFromString(ready.peerId)

    await mirror.peers.connect(ready.addresses[0]!)
    const service = mirrorOf(mirror)
    const first = await service.addMirror(user, homePeer)
    assert.equal(first.seq, 1)
    assert.equal(first.copied.manifests, 2)
    assert.equal(first.copied.blobs, 1)
    // The mirror may hold some shards already (it stores for others too): what moved is what it
    // lacked. That it holds k of every slice shows below, reading with every other node gone.
    const oldHome = (await service.records.home(user))!
    const oldRoot = (await service.records.root(user))!
    // Ciphertext only: no stretch of either file is anywhere in the mirror's directory.
    const held = await Promise.all(
      (await readdir(join(root, 'mirror'), { recursive: true, withFileTypes: true }))
        .filter((e) => e.isFile())
        .map((e) => readFile(join(e.parentPath, e.name)))
    )
    assert.ok(held.length > 0)
    for (const bytes of contents)
      for (const at of [0, 40_000, bytes.length - 64]) {
        const stretch = bytes.subarray(at, at + 64)
        assert.equal(
          held.filter((h) => h.includes(stretch)).length,
          0,
          `plaintext at ${at} held by the mirror`
        )
      }

    // SIGKILL the home; then the storage nodes go too: only the mirror holds the user's data.
    home.proc.kill('SIGKILL')
    homeAlive = false
    await new Promise((r) => home.proc.once('exit', r))
    await Promise.all(net.nodes.map((n) => n.stop()))

    const reader = await createNode({
      dataDir: join(root, 'reader'),
      workerNum: 1,
      bootstrap: mirror.addresses()
    })
    cleanup.push(() => reader.stop())
    await reader.peers.connect(mirror.addresses()[0]!)
    await reader.peers.trust(mirror.peerId)
    const read = await mirrorOf(reader).readRoot(user, {
      home: homePeer,
      mirrors: [peerIdFromString(mirror.peerId)]
    })
    assert.equal(read.source, 'mirror', 'the home is dead: the root comes from the mirror, and says so')
    assert.equal(read.peer, mirror.peerId)
    assert.equal(read.root.seq, 1)
    assert.deepEqual(
      read.root.files.map((f) => Buffer.from(f).toString('hex')).sort(),
      ready.files.map((f) => f.fileId).sort()
    )
    for (const [i, f] of ready.files.entries()) {
      let bytes: Buffer | undefined
      await waitFor(
        async () => {
          bytes = await collect(reader.files.read(f.capability)).catch(() => undefined)
          return bytes !== undefined
        },
        `file ${i} through the mirror`,
        30_000
      )
      assert.equal(sha(bytes!), sha(contents[i]!), `file ${i} reads back whole through the mirror`)
    }

    // Move home to the mirror, signed by the user alone (the old home is down).
    const [algorithm, hex] = (await readFile(join(homeDir, 'user-key'), 'utf8')).trim().split(':')
    const key = await importSigningKey(algorithm as 'ed25519', Buffer.from(hex!, 'hex'))
    const moved = await service.moveHome(
      await signHome(key, peerIdFromString(mirror.peerId).toMultihash().bytes, oldHome)
    )
    assert.equal(moved.home, mirror.peerId)
    assert.equal(moved.seq, 2)
    const tree = await sealTree({ entries: [] }, key.publicKey)
    await service.writeRoot(await signNextRoot(key, oldRoot, { tree, files: oldRoot.record.files }), [tree])
    assert.equal((await service.records.root(user))?.record.seq, 2, 'the mirror takes the user’s writes')

    // Replayed older records are refused.
    await assert.rejects(service.records.offerHome(oldHome.envelope), { name: 'StaleRecordError' })
    await assert.rejects(service.records.offerRoot(oldRoot.envelope), { name: 'StaleRecordError' })
    await assert.rejects(service.writeRoot(await signNextRoot(key, oldRoot, { tree, files: [] })), {
      name: 'RootConflictError'
    })

    // The old home comes back over its own directory and refuses the user's writes, naming the new home.
    const back = await runHome(['restart', homeDir, JSON.stringify([mirror.addresses()[0]!])])
    cleanup.push(async () => back.proc.kill('SIGKILL'))
    assert.equal(back.line.refused, 'NotHomeError', JSON.stringify(back.line))
    assert.equal(back.line.home, mirror.peerId)
    assert.equal(back.line.homeSeq, 2)
    assert.equal(back.line.rootSeq, 1, 'its root did not move')
  })
})
