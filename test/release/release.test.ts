// The release flow of doc/releasing.md, dry: `changeset version` consumes the pending
// changesets into versions and CHANGELOGs, then `npm publish --dry-run` packs every package as it
// would be published (prepack builds dist/). @changesets/cli 3 has no dry run of `changeset
// publish`, which is `npm publish` per package in dependency order. The working tree is put back
// afterwards, so the test refuses to start on uncommitted changes in the paths it touches.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = new URL('../../', import.meta.url).pathname
// Everything changeset version may rewrite: the private workspaces under test/ depend on the packages too.
const touched = ['.changeset', 'packages', 'apps', 'benchmarks', 'test']
// The published packages: private ones (the web reader) are neither versioned for npm nor packed.
const dirs = ['packages', 'apps']
  .flatMap((d) => readdirSync(join(root, d)).map((p) => `${d}/${p}`))
  .filter((dir) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).private !== true)

interface Manifest {
  name: string
  version: string
  dependencies?: Record<string, string>
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'))
const sh = (command: string, args: string[]) =>
  run(command, args, { cwd: root, timeout: 300_000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 })
const pending = () =>
  readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md')

let dirty = true
let changesets: string[] = []
const before_: Record<string, Manifest> = {}

before(async () => {
  const { stdout } = await sh('git', ['status', '--porcelain', '--', ...touched])
  assert.equal(stdout, '', `commit or stash the changes in ${touched.join(', ')} first`)
  dirty = false
  changesets = pending()
  for (const dir of dirs) before_[dir] = manifest(dir)
})

after(async () => {
  if (dirty) return
  await sh('git', ['checkout', '--', ...touched])
  await sh('git', ['clean', '-fdq', '--', ...touched])
})

describe('release dry run', () => {
  it('changeset version turns the pending changesets into versions and CHANGELOGs', async () => {
    assert.ok(changesets.length > 0, 'no pending changesets: nothing to release')
    await sh(join(root, 'node_modules/.bin/changeset'), ['version'])
    assert.deepEqual(pending(), [])
    const versions = new Map(dirs.map((dir) => [manifest(dir).name, manifest(dir).version]))
    const bumped = dirs.filter((dir) => manifest(dir).version !== before_[dir]!.version)
    assert.ok(bumped.length > 0, 'no package was bumped')
    for (const dir of bumped)
      assert.ok(existsSync(join(root, dir, 'CHANGELOG.md')), `${dir} has no CHANGELOG.md`)
    for (const dir of dirs) {
      const now = manifest(dir)
      // Packages depend on each other's exact versions: each must follow the bump.
      for (const [dep, range] of Object.entries(now.dependencies ?? {}))
        if (versions.has(dep)) assert.equal(range, versions.get(dep), `${now.name} -> ${dep}`)
    }
  })

  it('npm publish --dry-run packs every package at its new version', async () => {
    const workspaces = dirs.flatMap((dir) => ['--workspace', dir])
    const { stdout } = await sh('npm', ['publish', '--dry-run', ...workspaces, '--access', 'public'])
    const published = [...stdout.matchAll(/^\+ (@defs\/[a-z]+)@(\S+)$/gm)].map((m) => `${m[1]}@${m[2]}`)
    assert.deepEqual(
      published.sort(),
      dirs.map((dir) => `${manifest(dir).name}@${manifest(dir).version}`).sort()
    )
  })
})
