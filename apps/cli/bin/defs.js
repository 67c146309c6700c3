#!/usr/bin/env node
// The `defs` executable. Built (dist/main.js exists) it runs in this process; from a source
// checkout it runs src/main.ts in a child Node with the @defs/source condition (workspace
// packages resolve to their TypeScript, whose types Node strips), passing argv, signals and the
// exit code through.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 6)) {
  // An older Node on the PATH (e.g. `npm link`ed from a checkout on a Node 20 machine): run on the
  // Node 24 that the checkout's `npm install` brought, if it is there.
  const checkoutNode = fileURLToPath(new URL('../../../node_modules/.bin/node', import.meta.url))
  if (!existsSync(checkoutNode)) {
    process.stderr.write(
      `defs: needs Node >= 22.6, this is ${process.version} (npm install in the checkout brings one)\n`
    )
    process.exit(1)
  }
  const child = spawn(checkoutNode, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit'
  })
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    } else process.exit(code ?? 1)
  })
} else {
  const built = new URL('../dist/main.js', import.meta.url)
  if (existsSync(built)) {
    await import(built.href)
  } else {
    const stripTypes =
      major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)
        ? []
        : ['--experimental-strip-types']
    const source = fileURLToPath(new URL('../src/main.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      [
        '--conditions=@defs/source',
        ...stripTypes,
        '--no-warnings=ExperimentalWarning',
        source,
        ...process.argv.slice(2)
      ],
      {
        // The IPC channel lets the child notice if this process dies (even by SIGKILL).
        stdio: ['inherit', 'inherit', 'inherit', 'ipc']
      }
    )
    // A terminal's Ctrl-C reaches the child by itself (same process group); anything sent to this
    // process alone is passed on.
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.on(signal, () => {
        if (child.exitCode === null) child.kill(signal)
      })
    }
    child.on('exit', (code, signal) => {
      if (signal !== null) {
        process.removeAllListeners(signal)
        process.kill(process.pid, signal)
      } else process.exit(code ?? 1)
    })
  }
}
