// D/devnet.json: each node's API URL, token and peer id, for scripts and other terminals.
// It holds tokens, so it is written owner-only, and atomically (a reader never sees half).
import { writeFileAtomic } from '@defs/daemon'
import type { DevnetNode } from './devnet.ts'

export interface DevnetFile {
  version: 1
  nodes: DevnetNode[]
}

export async function writeDevnetFile(path: string, nodes: DevnetNode[]): Promise<void> {
  const file: DevnetFile = { version: 1, nodes }
  await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
}
