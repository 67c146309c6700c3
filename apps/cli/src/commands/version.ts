// defs version: this command's version and the Node it runs on (`defs status` shows the daemon's).
import { defineCommand } from 'citty'
import { jsonArg, verboseArg } from '../cli-args.ts'
import { printJson, printLine } from '../output.ts'
import { cliVersion } from '../version.ts'

export default defineCommand({
  meta: { name: 'version', description: "Print defs's version (defs status shows the daemon's)" },
  args: { ...jsonArg, ...verboseArg },
  async run({ args }) {
    if (args.json) return printJson({ version: cliVersion, node: process.version })
    printLine(`defs ${cliVersion} (Node ${process.version})`)
  }
})
