// Every package as npm would ship it: packed (prepack builds dist/ from scratch), checked with
// publint and arethetypeswrong, all tarballs installed together into an empty directory (they
// depend on each other and are not on npm), and each README example run there on plain Node,
// resolving the installed dist/ (no @defs/source condition, no workspace links).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { exampleSource, readmeExamples } from './readme-examples.ts'

const run = promisify(execFile)
const repo = new URL('../../', import.meta.url)
const root = repo.pathname
const bin = (tool: string): string => join(root, 'node_modules/.bin', tool)
// A plain environment: nothing that would add the @defs/source condition to a child.
const { NODE_OPTIONS: _, ...env } = process.env

interface Packed {
  name: string
  filename: string
  files: { path: string }[]
}

const work = mkdtempSync(join(tmpdir(), 'defs-packaging-'))
const tarballs = join(work, 'tarballs')
const app = join(work, 'app')
let packed: Packed[] = []

async function sh(command: string, args: string[], cwd: string, timeout: number) {
  return run(command, args, { cwd, env, timeout, killSignal: 'SIGKILL', maxBuffer: 64 << 20 })
}

before(async () => {
  mkdirSync(tarballs)
  mkdirSync(app)
  const { stdout } = await sh(
    'npm',
    [
      'pack',
      ...readmeExamples.flatMap((e) => ['--workspace', e.dir]),
      '--pack-destination',
      tarballs,
      '--json'
    ],
    root,
    300_000
  )
  packed = JSON.parse(stdout) as Packed[]
  writeFileSync(join(app, 'package.json'), '{ "name": "app", "private": true, "type": "module" }\n')
  await sh(
    'npm',
    ['install', '--no-audit', '--no-fund', '--silent', ...packed.map((p) => join(tarballs, p.filename))],
    app,
    300_000
  )
})

after(() => rmSync(work, { recursive: true, force: true }))

describe('npm pack of every package', () => {
  it('packs each public package of packages/ and apps/ (each has a README example here)', () => {
    const publicPackages = ['packages', 'apps']
      .flatMap((d) => readdirSync(join(root, d)).map((p) => join(root, d, p, 'package.json')))
      .map((f) => JSON.parse(readFileSync(f, 'utf8')) as { name: string; private?: boolean })
      .filter((pkg) => pkg.private !== true)
      .map((pkg) => pkg.name)
    assert.deepEqual(publicPackages.sort(), readmeExamples.map((e) => e.name).sort())
    assert.deepEqual(packed.map((p) => p.name).sort(), readmeExamples.map((e) => e.name).sort())
  })

  it('ships only dist/, README, LICENSE and package.json (the CLI also bin/)', () => {
    for (const p of packed) {
      const paths = p.files.map((f) => f.path)
      const outside = paths.filter(
        (f) =>
          !f.startsWith('dist/') &&
          !['README.md', 'LICENSE', 'package.json'].includes(f) &&
          !(p.name === '@defs/cli' && f === 'bin/defs.js')
      )
      assert.deepEqual(outside, [], p.name)
      for (const must of ['README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts'])
        assert.ok(paths.includes(must), `${p.name} lacks ${must}`)
      assert.ok(!paths.some((f) => f.endsWith('.tsbuildinfo')), `${p.name} ships a .tsbuildinfo`)
      // The daemon's dashboard is built by its build:assets, not tsc: it must be in the tarball.
      if (p.name === '@defs/daemon')
        assert.ok(paths.includes('dist/dashboard/index.html'), '@defs/daemon ships its dashboard')
    }
  })

  it('installs package.json with engines, sideEffects, repository and no source condition', () => {
    for (const example of readmeExamples) {
      const text = readFileSync(join(app, 'node_modules', example.name, 'package.json'), 'utf8')
      const pkg = JSON.parse(text)
      assert.equal(pkg.engines.node, '>=22', example.name)
      assert.equal(pkg.license, 'MIT', example.name)
      assert.notEqual(pkg.sideEffects, undefined, example.name)
      assert.equal(pkg.repository.directory, example.dir, example.name)
      assert.equal(JSON.stringify(pkg.exports).includes('@defs/source'), false, example.name)
    }
    // The tree in the repository keeps its condition: postpack put package.json back.
    for (const example of readmeExamples) {
      const pkg = JSON.parse(readFileSync(join(root, example.dir, 'package.json'), 'utf8'))
      assert.equal(pkg.exports['.']['@defs/source'], './src/index.ts', example.dir)
    }
  })

  it('is publint clean (warnings count as errors)', async () => {
    for (const p of packed) {
      const { stdout } = await sh(
        bin('publint'),
        ['run', '--strict', join(tarballs, p.filename)],
        work,
        60_000
      )
      assert.match(stdout, /All good!/, p.name)
    }
  })

  it('has types that resolve under node16 ESM and bundlers (arethetypeswrong, ESM only)', async () => {
    for (const p of packed) {
      // attw exits non-zero on any problem of the profile; execFile then rejects with its output.
      const { stdout } = await sh(
        bin('attw'),
        ['--profile', 'esm-only', '--format', 'json', join(tarballs, p.filename)],
        work,
        60_000
      )
      // The JSON lists the problems the profile ignores too: CommonJS and node10 resolution.
      const report = JSON.parse(stdout) as { problems: Record<string, { resolutionKind?: string }[]> }
      const problems = Object.values(report.problems)
        .flat()
        .filter((problem) => !['node10', 'node16-cjs'].includes(problem.resolutionKind ?? ''))
      assert.deepEqual(problems, [], p.name)
    }
  })
})

describe('README examples, run from the installed packages on Node', () => {
  const photo = randomBytes(3 << 20)
  before(() => writeFileSync(join(app, 'photo.jpg'), photo))

  for (const example of readmeExamples) {
    it(example.name, async () => {
      let args: string[]
      if ('file' in example.run) {
        writeFileSync(join(app, example.run.file), exampleSource(repo, example))
        args = [example.run.file]
      } else args = [join(app, 'node_modules/@defs/cli/bin/defs.js'), ...example.run.defs]
      const { stdout } = await sh(process.execPath, args, app, 180_000)
      assert.match(stdout, example.prints)
      if (example.name === '@defs/node') {
        const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
        assert.equal(sha(readFileSync(join(app, 'photo-copy.jpg'))), sha(photo))
      }
    })
  }
})
