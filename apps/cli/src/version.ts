// The version of this defs, from its package.json (one place to bump).
import { createRequire } from 'node:module'

export const cliVersion = (createRequire(import.meta.url)('../package.json') as { version: string }).version
