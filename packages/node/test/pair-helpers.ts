// What the pair tests on in-process nodes share: the node's pairing service, the shard files a
// node holds of a file (read on disk), and pairing options that never fail a partner over within
// a test (pairs are formed by the test, with pairWith).
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { DefsNode, NodePairing } from '../src/index.ts'

export const steadyPairs = {
  heartbeatInterval: 200,
  pairSuspectAfter: 600,
  pairFailureTimeout: 60_000,
  formationBackoff: 100,
  autoPair: false
}

export const pairOf = (n: DefsNode) => (n.services as { pairing: NodePairing }).pairing.service

/** The shard ids `node` holds of `fileId`, from its directory. */
export async function shardFiles(node: DefsNode, fileId: string): Promise<string[]> {
  return await readdir(join(node.dataDir, 'shards', fileId)).catch(() => [])
}
