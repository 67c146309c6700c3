import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { writeFileAtomic } from '../src/disk/atomic-file.ts'
import { lockDirectory } from '../src/disk/dir-lock.ts'
import { loadOrCreateIdentity } from '../src/disk/identity.ts'
import { nodeDir, prepareNodeDir } from '../src/disk/node-dir.ts'
import { DirectoryLockedError, IdentityError } from '../src/errors.ts'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'defs-disk-'))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('writeFileAtomic', () => {
  it('replaces the file whole and leaves no temp file behind', async () => {
    const path = join(root, 'atomic', 'value')
    await writeFileAtomic(path, 'first')
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]), { mode: 0o600 })
    assert.deepEqual(new Uint8Array(await readFile(path)), new Uint8Array([1, 2, 3]))
    assert.deepEqual(await readdir(join(root, 'atomic')), ['value'])
    assert.equal((await stat(path)).mode & 0o777, 0o600)
  })
})

describe('lockDirectory', () => {
  it('refuses a second lock while the first is held, and allows it after release', async () => {
    const lockPath = join(root, 'lock-a')
    const lock = await lockDirectory(root, lockPath)
    await assert.rejects(lockDirectory(root, lockPath), (err: Error) => {
      assert.equal(err.name, 'DirectoryLockedError')
      assert.match(err.message, new RegExp(`in use by process ${process.pid}`))
      return true
    })
    await lock.release()
    const again = await lockDirectory(root, lockPath)
    await again.release()
  })

  it('refuses another process on the same directory', async () => {
    const lockPath = join(root, 'lock-b')
    const lock = await lockDirectory(root, lockPath)
    const script = `import { lockDirectory } from ${JSON.stringify(new URL('../src/disk/dir-lock.ts', import.meta.url).href)}
try { await lockDirectory(${JSON.stringify(root)}, ${JSON.stringify(lockPath)}); console.log('locked') }
catch (err) { console.log(err.name) }`
    const out = await runNode(['--input-type=module', '-e', script])
    assert.equal(out.trim(), 'DirectoryLockedError')
    await lock.release()
  })

  it('takes over a stale lock left by a process that died', async () => {
    const lockPath = join(root, 'lock-c')
    const child = spawn(process.execPath, ['-e', ''])
    const deadPid = child.pid!
    await new Promise((resolve) => child.on('exit', resolve))
    await writeFile(lockPath, `${deadPid}\n`)
    const lock = await lockDirectory(root, lockPath)
    assert.equal((await readFile(lockPath, 'utf8')).trim(), String(process.pid))
    await lock.release()
  })

  it('names the holder in the error', () => {
    const err = new DirectoryLockedError('/x', 42)
    assert.equal(err.pid, 42)
    assert.match(err.message, /\/x is in use by process 42/)
  })
})

describe('node identity', () => {
  it('is created once and the same peer id comes back', async () => {
    const path = join(root, 'id-a')
    const first = await loadOrCreateIdentity(path)
    const second = await loadOrCreateIdentity(path)
    assert.equal(first.created, true)
    assert.equal(second.created, false)
    assert.equal(peerIdFromPrivateKey(first.key).toString(), peerIdFromPrivateKey(second.key).toString())
    assert.equal((await stat(path)).mode & 0o777, 0o600)
  })

  it('refuses to replace an unreadable identity', async () => {
    const path = join(root, 'id-b')
    await writeFile(path, 'not a key')
    await assert.rejects(loadOrCreateIdentity(path), IdentityError)
    assert.equal(await readFile(path, 'utf8'), 'not a key')
  })
})

describe('node directory', () => {
  it('creates the layout and clears tmp at start', async () => {
    const dir = nodeDir(join(root, 'node-a'))
    await prepareNodeDir(dir)
    await writeFile(join(dir.tmp, 'half-written'), 'x')
    await prepareNodeDir(dir)
    assert.deepEqual(await readdir(dir.tmp), [])
    assert.deepEqual((await readdir(dir.root)).sort(), ['meta', 'shards', 'tmp', 'tombstones'])
  })
})

function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // The node's sources import sibling packages from their TypeScript, as the tests do.
    const child = spawn(process.execPath, ['--conditions=@defs/source', ...args], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.on('error', reject)
    child.on('exit', () => resolve(out))
  })
}
