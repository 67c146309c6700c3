// defs ls: the files this node knows (uploaded here or opened with a capability).
import { defineCommand } from 'citty'
import { clientArgs } from '../cli-args.ts'
import { connect } from '../connect.ts'
import { formatBytes, table } from '../format.ts'
import { printJson, printLine } from '../output.ts'

export default defineCommand({
  meta: { name: 'ls', description: 'List stored files' },
  args: { ...clientArgs },
  async run({ args }) {
    const files = await (await connect(args)).files()
    if (args.json) return printJson(files)
    if (files.length === 0) return printLine('no files')
    const rows = files.map((f) => [
      f.fileId,
      f.name,
      formatBytes(f.size),
      `${f.mode} ${f.dataShards}+${f.parityShards}`,
      String(f.slices),
      new Date(f.created).toISOString().slice(0, 19).replace('T', ' ')
    ])
    printLine(table(['ID', 'NAME', 'SIZE', 'CODE', 'SLICES', 'CREATED'], rows))
  }
})
