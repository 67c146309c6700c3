// A mirror's first sync SIGKILLed halfway resumes after a restart without asking again for what
// it had stored: the resumed sync moves exactly the shard bytes it found missing, which are what
// was left at the kill (counted by the sync's own progress lines, read to the last one written).
// The account is 32 MiB (24 files) by default, seconds on 2 cores; the 1 GiB account
// is DEFS_MIRROR_RESUME_BYTES=1073741824, opt-in (about 90 s on 2 idle cores: too slow for CI).
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
import { type Copied, sealTree, signHome, signNextRoot, userIdOf } from '@defs/mirror'
import { peerIdFromString } from '@libp2p/peer-id'
import { createNode, mirrorOf } from '../src/index.ts'
import { startNetwork } from './network/devnet.ts'

const child = fileURLToPath(new URL('./fixtures/mirror-sync-child.ts', import.meta.url))
const FILES = 24
const ACCOUNT_BYTES = Number(process.env.DEFS_MIRROR_RESUME_BYTES ?? 32 * 1024 * 1024)
if (!Number.isSafeInteger(ACCOUNT_BYTES) || ACCOUNT_BYTES < FILES)
  throw new RangeError(`DEFS_MIRROR_RESUME_BYTES must be an integer >= ${FILES}, got ${ACCOUNT_BYTES}`)
const FILE_BYTES = Math.floor(ACCOUNT_BYTES / FILES)
/** Generous for a loaded 2-core machine: 90 s, plus 2 s per MiB of the account. */
const BUDGET_MS = 90_000 + Math.ceil(ACCOUNT_BYTES / 2 ** 20) * 2_000

interface Line {
  filesDone?: number
  copied?: Copied
  bytesToCopy?: number
  done?: boolean
  report?: { seq: number; filesChecked: number; copied: Copied }
}

interface Run {
  /** Every line the process wrote, to the last one (also when it was killed). */
  lines: Line[]
  killed: boolean
}

/** Runs the mirror fixture; with `killAt`, it freezes once that many files are done and is SIGKILLed. */
async function runMirror(args: string[], killAt?: number): Promise<Run> {
  const freeze = killAt === undefined ? [] : [String(killAt)]
  const proc = spawn(process.execPath, ['--conditions=@defs/source', child, ...args, ...freeze], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  const exited = new Promise((resolve) => proc.once('exit', resolve))
  const deadline = setTimeout(() => proc.kill('SIGKILL'), BUDGET_MS)
  const lines: Line[] = []
  let killed = false
  try {
    // Read to the end: a killed process may have written lines after the one that killed it.
    for await (const text of createInterface({ input: proc.stdout! })) {
      const line = JSON.parse(text) as Line
      lines.push(line)
      if (!killed && killAt !== undefined && (line.filesDone ?? 0) >= killAt) {
        proc.kill('SIGKILL')
        killed = true
      }
    }
  } finally {
    clearTimeout(deadline)
  }
  await exited
  return { lines, killed }
}

const progressLines = (run: Run) => run.lines.filter((l) => l.filesDone !== undefined)
/** The first progress line of the last sync in a run: its bytes to copy, as it started. */
const startOf = (run: Run) => progressLines(run).findLast((l) => l.filesDone === 0)

const cleanup: (() => Promise<unknown>)[] = []
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {})
})

describe('a first mirror sync killed halfway', { timeout: 3 * BUDGET_MS }, () => {
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
      await writeFile(path, randomBytes(FILE_BYTES + i))
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
    const first = await runMirror(['add', ...args], FILES / 2)
    assert.ok(first.killed, `the first sync was killed halfway: ${JSON.stringify(first.lines.at(-1))}`)
    const total = startOf(first)?.bytesToCopy
    const atKill = progressLines(first).at(-1)!
    assert.ok(total !== undefined && total >= ACCOUNT_BYTES / 2, `k of 3 shards of every slice: ${total}`)
    assert.equal(atKill.filesDone, FILES / 2, 'killed halfway')
    assert.ok(atKill.bytesToCopy! < total, 'shards were copied before the kill')

    const resumed = await runMirror(['resume', ...args])
    const done = resumed.lines.at(-1)!
    assert.equal(done.report?.seq, 1, JSON.stringify(done))
    const left = startOf(resumed)?.bytesToCopy
    // What was stored before the kill is not asked again: the resumed sync starts with what was
    // left at the kill.
    assert.ok(left !== undefined && left > 0, `${left} of ${total} left`)
    assert.equal(left, atKill.bytesToCopy, 'what the kill left is what the resumed sync lacks')
    const after = done.copied!
    assert.deepEqual(
      [after.blobs, after.manifests],
      [0, 0],
      'the blobs and every manifest came before the first shard'
    )
    assert.equal(after.bytes, left, 'the resumed sync moved exactly the shard bytes it lacked')
    assert.equal(progressLines(resumed).at(-1)?.bytesToCopy, 0)
    // Nothing left: one more start moves nothing.
    const again = (await runMirror(['resume', ...args])).lines.at(-1)!
    assert.deepEqual(again.copied, { blobs: 0, manifests: 0, shards: 0, bytes: 0 })
  })
})
