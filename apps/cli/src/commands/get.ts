// defs get REF [-o OUT]: a file back from the network, to OUT or (without -o) to the name it was
// stored under, in the current directory. The daemon writes it as a download task (temp file,
// fsync, rename; persisted, so a pause, a crash or Ctrl-C resumes with `defs tasks resume`);
// `-o -` (or `defs cat`) streams it to stdout instead. With a user session (defs login) REF may be
// a name in the user's tree or of a file shared with them.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { access } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { defineCommand } from 'citty'
import { clientArgs, refArg, sessionArg } from '../cli-args.ts'
import { connectAsUser } from '../connect.ts'
import { download, parseRangeFlag, rangeArg } from '../download.ts'
import { formatBytes, formatDuration, formatRate } from '../format.ts'
import { followDownload } from '../get/follow-download.ts'
import { printJson, printLine } from '../output.ts'
import { daemonIsLocal } from '../put/store-file.ts'
import { UserError } from '../user-error.ts'
import { refForUser } from '../user-ref.ts'

export default defineCommand({
  meta: {
    name: 'get',
    description: 'Read a file back by id or capability (with a session: by name, yours or shared with you)'
  },
  args: {
    ...refArg,
    ...sessionArg,
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
    const asked = args.range === undefined ? undefined : parseRangeFlag(args.range)
    const client = await connectAsUser(args)
    const ref = await refForUser(client, args.ref)
    if (toStdout) {
      await download(client, ref, asked)
      return
    }
    if (!daemonIsLocal(client))
      throw new UserError(
        `the daemon at ${client.url} writes files on its own machine; use defs cat REF > FILE`
      )
    const info = await client.info(ref)
    const target = resolve(args.output ?? storedName(info.name, info.fileId))
    if (!args.force && (await exists(target)))
      throw new UserError(`${target} exists; pass --force to replace it, or -o another name`)
    if (asked !== undefined && asked.offset >= info.size && info.size > 0)
      throw new UserError(
        `--range starts at byte ${asked.offset}, past the end of the file (${info.size} bytes)`
      )
    const range =
      asked === undefined
        ? undefined
        : { offset: asked.offset, length: Math.min(asked.length ?? info.size, info.size - asked.offset) }
    const started = performance.now()
    const task = await client.startDownload(ref, target, range)
    const label = `get ${basename(target).slice(0, 40)}`
    const result = await followDownload(client, task, label, range?.length ?? info.size, !args.json)
    const ms = performance.now() - started
    const sha256 = await fileSha256(target)
    if (args.json)
      return printJson({
        ref: args.ref,
        path: target,
        sha256,
        seconds: ms / 1000,
        taskId: task.id,
        ...result
      })
    printLine(
      `wrote ${formatBytes(result.bytes)} to ${target} in ${formatDuration(ms)}, ${formatRate((result.bytes * 1000) / ms)}`
    )
    printLine(`  sha256  ${sha256}`)
  }
})

/** The last part of the stored name (never a path out of here), else the file id. */
function storedName(name: string, fileId: string): string {
  const base = basename(name.replaceAll('\\', '/'))
  return base !== '' && base !== '.' && base !== '..' ? base : fileId
}

function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false
  )
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256')
  await pipeline(createReadStream(path), hash)
  return hash.digest('hex')
}
