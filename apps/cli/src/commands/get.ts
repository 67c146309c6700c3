// defs get REF [-o OUT]: a file back from the network, to OUT or (without -o) to the name it was
// stored under, in the current directory; `-o -` (or `defs cat`) writes it to stdout.
import { access } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { defineCommand } from 'citty'
import { clientArgs, refArg } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { download, parseRangeFlag, rangeArg } from '../download.ts'
import { formatBytes, formatDuration, formatRate } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: { name: 'get', description: 'Read a file back by id or capability' },
  args: {
    ...refArg,
    output: {
      type: 'string',
      alias: 'o',
      description: 'write to this file, - for stdout (default: the stored name, here)',
      valueHint: 'OUT'
    },
    force: { type: 'boolean', alias: 'f', description: 'replace OUT if it exists' },
    ...rangeArg,
    ...clientArgs
  },
  async run({ args }) {
    const toStdout = args.output === '-'
    if (toStdout && process.stdout.isTTY)
      throw new UserError('refusing to write file bytes to a terminal; use -o FILE, a pipe, or defs cat')
    if (toStdout && args.json) throw new UserError('--json needs a file to write (stdout carries the file)')
    const range = args.range === undefined ? undefined : parseRangeFlag(args.range)
    const client = await connect(args)
    let target: string | undefined
    if (!toStdout) {
      target = resolve(args.output ?? storedName((await client.info(args.ref)).name, args.ref))
      if (!args.force && (await exists(target)))
        throw new UserError(`${target} exists; pass --force to replace it, or -o another name`)
    }
    const got = await download(client, args.ref, target, range, !args.json)
    if (target === undefined) return
    if (args.json)
      return printJson({
        ref: args.ref,
        path: target,
        bytes: got.bytes,
        sha256: got.sha256,
        seconds: got.ms / 1000,
        expected: got.expected
      })
    printLine(
      `wrote ${formatBytes(got.bytes)} to ${target} in ${formatDuration(got.ms)}, ${formatRate((got.bytes * 1000) / got.ms)}`
    )
    printLine(`  sha256  ${got.sha256}`)
  }
})

/** The last part of the stored name (never a path out of here), else the file id. */
function storedName(name: string, ref: string): string {
  const base = basename(name.replaceAll('\\', '/'))
  if (base !== '' && base !== '.' && base !== '..') return base
  return ref.startsWith('defs:') ? ref.split(':')[1]! : ref
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false
  )
}
