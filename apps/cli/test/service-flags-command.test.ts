// The built-in services' options as an operator sets them: flags of `defs init` and `defs start`
// (the daemon's own), kept in the node's config, shown by `defs config show`, and a real daemon
// started with them still stores and reads a file.
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { describe, it } from 'node:test'
import { assertOneLineError, runCli, spawnCli } from './run-cli.ts'

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line in ${timeoutMs} ms`)), timeoutMs)
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer)
      resolve(line)
    })
  })
}

async function configOf(dir: string): Promise<Record<string, unknown>> {
  const shown = await runCli(['config', 'show', '--json', '--dir', dir])
  assert.equal(shown.code, 0, shown.stderr)
  return JSON.parse(shown.stdout.toString()) as Record<string, unknown>
}

describe('the services options as flags', () => {
  it('are kept by defs init and defs start, shown by defs config show, and the node still stores and reads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-service-flags-'))
    let start: ChildProcess | undefined
    try {
      const init = await runCli([
        'init',
        '--dir',
        dir,
        '--api-port',
        '0',
        '--port',
        '0',
        '--lease-duration',
        '7200',
        '--repair-audits',
        'false',
        '--repair-bandwidth',
        '8MiB',
        '--pair-failure-timeout',
        '45'
      ])
      assert.equal(init.code, 0, init.stderr)
      // the daemon's flags win over the config, and the config keeps what they said
      start = spawnCli([
        'start',
        '--dir',
        dir,
        '--json',
        '--repair-check-interval',
        '90',
        '--lease-grace',
        '600',
        '--pair-maintenance-max',
        '900'
      ])
      const ready = JSON.parse(await firstLine(start, 30_000)) as { ready: boolean }
      assert.equal(ready.ready, true)
      const config = await configOf(dir)
      assert.deepEqual(
        {
          'lease-duration': config['lease-duration'],
          'lease-grace': config['lease-grace'],
          'repair-check-interval': config['repair-check-interval'],
          'repair-audits': config['repair-audits'],
          'repair-bandwidth': config['repair-bandwidth'],
          'pair-failure-timeout': config['pair-failure-timeout'],
          'pair-maintenance-max': config['pair-maintenance-max']
        },
        {
          // shown as the flags take them: durations in seconds, sizes in bytes
          'lease-duration': 7200,
          'lease-grace': 600,
          'repair-check-interval': 90,
          'repair-audits': false,
          'repair-bandwidth': 8 * 2 ** 20,
          'pair-failure-timeout': 45,
          'pair-maintenance-max': 900
        }
      )
      const data = randomBytes(300_000)
      await writeFile(join(dir, 'a.bin'), data)
      const put = await runCli(['put', join(dir, 'a.bin'), '--json', '--dir', dir])
      assert.equal(put.code, 0, put.stderr)
      const { fileId } = JSON.parse(put.stdout.toString()) as { fileId: string }
      const got = await runCli(['get', fileId, '-o', join(dir, 'back.bin'), '--dir', dir])
      assert.equal(got.code, 0, got.stderr)
      assert.deepEqual(await readFile(join(dir, 'back.bin')), data)
      const exited = once(start, 'exit')
      start.kill('SIGINT')
      assert.deepEqual(await exited, [0, null])
      // a value the pairing service would refuse is refused before the file changes, naming the flag
      assertOneLineError(
        await runCli(['config', 'set', 'pair-maintenance-max', '30', '--dir', dir]),
        /--pair-maintenance-max \(30000\) must not be shorter than pairFailureTimeout \(45000\)/
      )
      assert.equal((await configOf(dir))['pair-maintenance-max'], 900)
      // what config get shows, config set takes back unchanged
      const set = await runCli(['config', 'set', 'lease-grace', '600', '--json', '--dir', dir])
      assert.equal(set.code, 0, set.stderr)
      assert.deepEqual(JSON.parse(set.stdout.toString()), { 'lease-grace': 600 })
    } finally {
      if (start?.exitCode === null) start.kill('SIGKILL')
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses a bad value naming the flag, and lists every flag in --help', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'defs-service-flags-'))
    try {
      assertOneLineError(
        await runCli(['init', '--dir', join(dir, 'x'), '--repair-check-interval', '5m']),
        /--repair-check-interval must be an integer in 1\.\.86400, got "5m"/
      )
      assertOneLineError(
        await runCli(['init', '--dir', join(dir, 'y'), '--repair-audits', 'maybe']),
        /--repair-audits takes true or false/
      )
      for (const command of ['init', 'start', 'devnet']) {
        const help = await runCli([command, '--help'])
        assert.equal(help.code, 0, help.stderr)
        for (const flag of [
          'repair-check-interval',
          'repair-bandwidth',
          'repair-audits',
          'lease-duration',
          'lease-grace',
          'pair-failure-timeout',
          'pair-maintenance-max'
        ])
          assert.match(help.stdout.toString(), new RegExp(`--${flag}`), `${command} --help lists --${flag}`)
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
