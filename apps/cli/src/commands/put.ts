// defs put FILE: stream a file (or stdin with "-") to the daemon, which encrypts, encodes and
// scatters it; print the file id, the read capability and where each slice's shards went.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import type { PutResult } from '@defs/node'
import { storageModeChoices } from '@defs/segment'
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { formatBytes, formatDuration, formatRate, shortId } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { ProgressBar } from '../progress-bar.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: { name: 'put', description: 'Store a file in the network' },
  args: {
    file: {
      type: 'positional',
      required: true,
      description: 'file to store, or - for stdin',
      valueHint: 'FILE'
    },
    mode: {
      type: 'enum',
      options: [...storageModeChoices],
      description: 'storage mode'
    },
    'data-shards': { type: 'string', alias: 'k', description: 'k: data shards per slice', valueHint: 'N' },
    'parity-shards': {
      type: 'string',
      alias: 'm',
      description: 'm: parity shards per slice (how many may be lost)',
      valueHint: 'N'
    },
    name: { type: 'string', description: 'name kept (encrypted) in the manifest; default: the file name' },
    priority: { type: 'string', description: 'task priority (higher runs first)', valueHint: 'N' },
    ...clientArgs
  },
  async run({ args }) {
    const client = await connect(args)
    const fromStdin = args.file === '-'
    let size: number | undefined
    if (!fromStdin) {
      const info = await stat(args.file).catch(() => undefined)
      if (info === undefined) throw new UserError(`no such file: ${args.file}`)
      if (!info.isFile()) throw new UserError(`not a regular file: ${args.file}`)
      size = info.size
    }
    const name = args.name ?? (fromStdin ? 'stdin' : basename(args.file))
    const source = fromStdin ? process.stdin : createReadStream(args.file, { highWaterMark: 1 << 20 })
    const bar = new ProgressBar(`put ${name}`, size, process.stderr)
    const started = performance.now()
    let result: PutResult
    try {
      result = await client.upload(source, {
        size,
        query: {
          name,
          mode: args.mode,
          k: args['data-shards'],
          m: args['parity-shards'],
          priority: args.priority
        },
        onProgress: (p) => bar.update(p.bytesDone)
      })
    } finally {
      bar.finish()
    }
    const ms = performance.now() - started
    if (args.json) return printJson({ ...result, seconds: ms / 1000 })
    printLine(
      `stored ${name} (${formatBytes(result.size)}) in ${formatDuration(ms)}, ${formatRate((result.size * 1000) / ms)}`
    )
    printPutResult(result)
  }
})

export function printPutResult(result: PutResult): void {
  printLine(`  file id     ${result.fileId}`)
  printLine(`  capability  ${result.capability}`)
  const slices = result.placement.length
  printLine(
    `  code        ${result.mode} ${result.dataShards}+${result.parityShards}, ${slices} slice${slices === 1 ? '' : 's'} of up to ${formatBytes(result.sliceSize)}`
  )
  if (result.note) printLine(`  note        ${result.note}`)
  for (const { slice, shards } of result.placement.slice(0, 16)) {
    const where = shards.map((s) => `${s.index}:${shortId(s.peerId, 4)}`).join(' ')
    printLine(`  slice ${String(slice).padEnd(5)} ${where}`)
  }
  if (slices > 16) printLine(`  ... ${slices - 16} more slices (--json shows all)`)
}
