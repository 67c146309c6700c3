// defs put FILE|DIR|-: store a file (or every file under DIR with -r, or stdin). Prints what a
// user needs to read it back, like `ipfs add`: the file id (this node only) and the capability
// (anyone, anywhere); -q the capability alone; -v also the code and where every shard went.
import { readdir, stat } from 'node:fs/promises'
import { basename, join, relative, resolve } from 'node:path'
import { integerFlag } from '@defs/daemon'
import type { PutResult } from '@defs/node'
import { storageModeChoices } from '@defs/segment'
import { defineCommand } from 'citty'
import { clientArgs, sessionArg } from '../cli-args.ts'
import { connectAsUser } from '../connect.ts'
import { formatBytes, formatDuration, shortId } from '../format.ts'
import { note, printJson, printLine } from '../output.ts'
import { type CodeAsk, code, modeToSend, putWarnings } from '../put/code-ask.ts'
import { type FileToStore, storeFile } from '../put/store-file.ts'
import { ApiError, UserError } from '../user-error.ts'

export default defineCommand({
  meta: { name: 'put', description: 'Store a file (or a directory with -r, or stdin with -)' },
  args: {
    file: {
      type: 'positional',
      required: true,
      description: 'file, directory (-r) or - for stdin',
      valueHint: 'FILE'
    },
    recursive: { type: 'boolean', alias: 'r', description: 'store every file under a directory' },
    mode: {
      type: 'enum',
      options: [...storageModeChoices],
      description: "storage mode (default: the node's, auto)"
    },
    'data-shards': { type: 'string', alias: 'k', description: 'k: data shards per slice', valueHint: 'N' },
    'parity-shards': {
      type: 'string',
      alias: 'm',
      description: 'm: parity shards per slice (how many nodes may be lost)',
      valueHint: 'N'
    },
    'allow-narrower': {
      type: 'boolean',
      description: 'let a network too small for -k/-m store a narrower code (with a warning)'
    },
    name: { type: 'string', description: 'name kept (encrypted) in the manifest; default: the file name' },
    priority: {
      type: 'string',
      description: 'task priority, -1000..1000 (higher runs first)',
      valueHint: 'N'
    },
    quiet: { type: 'boolean', alias: 'q', description: 'print only the capability' },
    ...sessionArg,
    ...clientArgs
  },
  async run({ args }) {
    const ask: CodeAsk = {
      mode: args.mode,
      k: optionalInteger('data-shards', args['data-shards'], 1, 100),
      m: optionalInteger('parity-shards', args['parity-shards'], 1, 100),
      allowNarrower: args['allow-narrower'] === true
    }
    const priority = optionalInteger('priority', args.priority, -1000, 1000)
    const files = await filesToStore(args.file, args.recursive === true, args.name)
    // With a session the file is the user's: owned by their key and put into their tree.
    const client = await connectAsUser(args)
    const results: (UserPutResult & { path: string; seconds: number })[] = []
    for (const file of files) {
      const started = performance.now()
      const query = { name: file.name, mode: modeToSend(ask, file.size), k: ask.k, m: ask.m, priority }
      let result: UserPutResult
      try {
        result = await storeFile(client, file, query, !args.json && !args.quiet)
      } catch (err) {
        if (err instanceof ApiError && err.name === 'NotEnoughPeersError' && !ask.allowNarrower)
          throw new UserError(
            `not enough peers: ${err.message}; lower -k/-m, or pass --allow-narrower to store what the network can hold`
          )
        throw err
      }
      const ms = performance.now() - started
      for (const line of putWarnings(ask, result)) note(`defs: ${file.name}: ${line}`)
      results.push({ ...result, path: file.path ?? '-', seconds: ms / 1000 })
      if (args.json) continue
      if (args.quiet) printLine(result.capability)
      else if (files.length > 1) printLine(`${result.fileId}  ${result.capability}  ${file.name}`)
      else printSummary(file.name, result, ms, args.verbose === true)
    }
    if (args.json) printJson(args.recursive ? results : results[0])
  }
})

/** What a put answers; `tree` when it was a user's (the name in their tree, the root naming it). */
type UserPutResult = PutResult & { tree?: { user: string; name: string; seq: number } }

function optionalInteger(flag: string, value: string | undefined, min: number, max: number) {
  return value === undefined ? undefined : integerFlag(flag, value, min, max)
}

/** The one file, stdin, or (with -r) every regular file under a directory, named by its path in it. */
async function filesToStore(
  arg: string,
  recursive: boolean,
  name: string | undefined
): Promise<FileToStore[]> {
  if (arg === '-') {
    if (recursive) throw new UserError('-r needs a directory, not - (stdin)')
    return [{ name: name ?? 'stdin' }]
  }
  const path = resolve(arg)
  const info = await stat(path).catch(() => undefined)
  if (info === undefined) throw new UserError(`no such file: ${arg}`)
  if (info.isDirectory()) {
    if (!recursive) throw new UserError(`${arg} is a directory; defs put -r ${arg} stores every file in it`)
    if (name !== undefined) throw new UserError('--name names one file; with -r each file keeps its path')
    const entries = await readdir(path, { recursive: true, withFileTypes: true })
    const files: FileToStore[] = []
    for (const e of entries) {
      if (!e.isFile()) continue
      const full = join(e.parentPath, e.name)
      files.push({ path: full, name: relative(path, full), size: (await stat(full)).size })
    }
    if (files.length === 0) throw new UserError(`${arg} holds no regular file`)
    return files.sort((a, b) => a.name.localeCompare(b.name))
  }
  if (!info.isFile()) throw new UserError(`not a regular file: ${arg}`)
  return [{ path, name: name ?? basename(path), size: info.size }]
}

function printSummary(name: string, result: UserPutResult, ms: number, verbose: boolean): void {
  printLine(`stored ${name} (${formatBytes(result.size)}, ${code(result)}) in ${formatDuration(ms)}`)
  printLine(`  file id     ${result.fileId}  (reads on this node)`)
  printLine(`  capability  ${result.capability}  (reads on any node; keep it secret)`)
  if (result.tree !== undefined)
    printLine(
      `  tree        ${result.tree.name} in the tree of ${result.tree.user} (root ${result.tree.seq})`
    )
  if (!verbose) return
  const slices = result.placement.length
  printLine(`  slices      ${slices} of up to ${formatBytes(result.sliceSize)}`)
  if (result.note) printLine(`  note        ${result.note}`)
  for (const { slice, shards } of result.placement) {
    const where = shards.map((s) => `${s.index}:${shortId(s.peerId, 4)}`).join(' ')
    printLine(`  slice ${String(slice).padEnd(5)} ${where}`)
  }
}
