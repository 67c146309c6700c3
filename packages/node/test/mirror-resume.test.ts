// A mirror's first sync SIGKILLed halfway resumes after a restart without asking again for what
// it had stored: the manifests and shards of the resumed sync and those copied before the kill
// add up to no more than the account holds (counted by the sync's own reports).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { importSigningKey } from '@defs/crypto'
import { sealTree, signHome, signNextRoot, userIdOf } from '@defs/mirror'
import { peerIdFromString } from '@libp2p/peer-id'
import { createNode, mirrorOf } from '../src/index.ts'
import { startNetwork } from './network/devnet.ts'

const child = fileURLToPath(new URL('./fixtures/mirror-sync-child.ts', import.meta.url))
const FILES = 24

interface Copied {
  manifests: number
  shards: number
  bytes: number
}
interface Line {
  filesDone?: number
  copied?: Copied
  done?: boolean
  report?: { seq: number; filesChecked: number; copied: Copied }
}

/** The last line of a run: its report and what its sync copied. */
interface Done extends Line {
  copied: Copied
}

/** Runs the mirror fixture; with `killAt`, SIGKILLs it once that many files are done. */
async function runMirror(args: string[], killAt?: number): Promise<{ last: Line; killed: boolean }> {
  const proc = spawn(process.execPath, ['--conditions=@defs/source', child, ...args], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  const deadline = setTimeout(() => proc.kill('SIGKILL'), 90_000)
  let last: Line = {}
  let killed = false
  try {
    for await (const text of createInterface({ input: proc.stdout! })) {
      last = JSON.parse(text) as Line
      if (last.done) break
      if (killAt !== undefined && (last.filesDone ?? 0) >= killAt) {
        proc.kill('SIGKILL')
        killed = true
        break
      }
    }
  } finally {
    clearTimeout(deadline)
  }
  await exited
  return { last, killed }
}

const cleanup: (() => Promise<unknown>)[] = []
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {})
})

describe('a first mirror sync killed halfway', { timeout: 240_000 }, () => {
  it('resumes after a restart without resending what was copied', async () => {
    const root = await mkdtemp(join(tmpdir(), 'defs-mirror-resume-'))
    cleanup.push(() => rm(root, { recursive: true, force: true }))
    const net = await startNetwork(3)
    cleanup.push(() => net.stop())
    const home = await createNode({
      dataDir: join(root, 'home'),
      workerNum: 1,
      bootstrap: net.nodes[0]!.addresses()
    })
    cleanup.push(() => home.stop())
    for (const n of net.nodes) {
      await home.peers.connect(n.addresses()[0]!)
      await home.peers.trust(n.peerId)
      await n.peers.trust(home.peerId)
    }
    const fileIds: Uint8Array[] = []
    for (let i = 0; i < FILES; i++) {
      const path = join(root, `f${i}`)
      await writeFile(path, randomBytes(20_000 + i))
      const put = await home.files.put(path, { mode: 'rs-proportion', dataShards: 2, parityShards: 1 })
      fileIds.push(Buffer.from(put.fileId, 'hex'))
    }
    const [algorithm, hex] = (await readFile(join(root, 'home', 'user-key'), 'utf8')).trim().split(':')
    const user = await importSigningKey(algorithm as 'ed25519', Buffer.from(hex!, 'hex'))
    const service = mirrorOf(home)
    await service.records.offerHome(
      await signHome(user, peerIdFromString(home.peerId).toMultihash().bytes, undefined)
    )
    const tree = await sealTree({ entries: [] }, user.publicKey)
    await service.writeRoot(await signNextRoot(user, undefined, { tree, files: fileIds }), [tree])

    const mirrorDir = join(root, 'mirror')
    const args = [mirrorDir, home.addresses()[0]!, home.peerId, userIdOf(user.publicKey)]
    const first = await runMirror(['add', ...args], 6)
    assert.ok(first.killed, `the first sync was killed halfway, not finished: ${JSON.stringify(first.last)}`)
    const before = first.last.copied!
    assert.ok(first.last.filesDone! < FILES)

    const resumed = (await runMirror(['resume', ...args])).last as Done
    assert.equal(resumed.report?.seq, 1, JSON.stringify(resumed))
    const after = resumed.copied
    assert.ok(after.manifests > 0, 'the resumed sync did copy the rest')
    assert.ok(
      before.manifests + after.manifests <= FILES,
      `no manifest asked twice: ${before.manifests} before the kill, ${after.manifests} after`
    )
    // k = 2 of the 3 shards of each file's one slice.
    assert.ok(
      before.shards + after.shards <= FILES * 2,
      `no shard asked twice: ${before.shards} before, ${after.shards} after`
    )
    // Nothing left: one more start moves nothing.
    const again = (await runMirror(['resume', ...args])).last as Done
    assert.deepEqual(again.copied, { blobs: 0, manifests: 0, shards: 0, bytes: 0 })
  })
})
