// What the pair tests on in-process nodes share: the node's pairing service, the shard files a
// node holds of a file (read on disk), and pairing options that never fail a partner over within
// a test (pairs are formed by the test, with pairWith).
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { peerIdFromString } from '@libp2p/peer-id'
import { CLAIMS_SUFFIX } from '../src/disk/shard-files.ts'
import type { DefsNode, NodePairing } from '../src/index.ts'
import { waitFor } from './network/devnet.ts'

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
  const names = await readdir(join(node.dataDir, 'shards', fileId)).catch(() => [])
  // a shard with more than one claim (both shards of a k = 1 slice are the same bytes) has its
  // claims beside it in `<id>.claims`: a file of the shard, not a shard
  return names.filter((name) => !name.endsWith(CLAIMS_SUFFIX))
}

/**
 * Pairs `a` with `b` and waits (bounded) until every node of `nodes` knows the pair: placement
 * learns pairs from the directory, so an upload made before would put both of a slice's shards
 * on the one pair.
 */
export async function pairKnown(nodes: DefsNode[], a: DefsNode, b: DefsNode): Promise<void> {
  await pairOf(a).pairWith(peerIdFromString(b.peerId))
  await waitFor(
    () =>
      nodes.every(
        (n) => pairOf(n).partnerOf(a.peerId) === b.peerId && pairOf(n).partnerOf(b.peerId) === a.peerId
      ),
    'every node knows the new pair',
    15_000
  )
}
