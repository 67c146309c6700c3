// Serving a signed delete: it must verify, name this holder, be fresh (signed since this node
// started, within the time window, with a nonce not seen), and it removes only the signer's
// claims; a shard goes when no owner's claim is left on it.
import { type DeleteRequest, type Envelope, ShardStatus, verify } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import { equalBytes, hex } from './bytes.ts'
import { Refusal, type ServeContext } from './serve-context.ts'
import { claimOf } from './shard-store.ts'

export async function serveDelete(
  ctx: ServeContext,
  envelope: Envelope<'delete'>,
  peer: PeerId
): Promise<void> {
  let request: DeleteRequest
  try {
    request = await verify(envelope, 'delete')
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    ctx.misbehaved(peer, 'bad-signature', detail)
    throw new Refusal(ShardStatus.Unauthorized, detail)
  }
  if (!equalBytes(request.recipient, ctx.self)) {
    // signed for another holder: whoever sends it here replays someone else's request
    ctx.misbehaved(peer, 'replay', `delete for peer ${hex(request.recipient)} sent here`)
    throw new Refusal(ShardStatus.Unauthorized, `delete is for peer ${hex(request.recipient)}, not this one`)
  }
  if (request.time < ctx.startedAt) {
    // nonces live in memory only: one signed before we started may have been used already
    throw new Refusal(
      ShardStatus.Replay,
      `delete signed at ${request.time}, before this node started at ${ctx.startedAt}`
    )
  }
  const { store } = ctx
  const ids = request.shards.length === 0 ? await store.shardsOf(request.fileId) : request.shards
  const owned: Uint8Array[] = []
  let held = 0
  for (const id of ids) {
    const claims = await store.claims(id)
    // a signature over one file must not remove another file's claims
    if (!claims.some((c) => equalBytes(c.fileId, request.fileId))) continue
    held++
    if (claims.some((c) => claimOf(c, request.fileId, envelope.publicKey))) owned.push(id)
  }
  if (held > 0 && owned.length === 0) {
    throw new Refusal(
      ShardStatus.Unauthorized,
      `delete of file ${hex(request.fileId)} not signed by an owner of it`
    )
  }
  const verdict = ctx.replay.check(`${hex(envelope.publicKey.bytes)}:${hex(request.nonce)}`, request.time)
  if (verdict === 'replayed') {
    ctx.misbehaved(peer, 'replay', `delete nonce ${hex(request.nonce)} already used`)
    throw new Refusal(ShardStatus.Replay, `delete nonce ${hex(request.nonce)} already used`)
  }
  if (verdict === 'stale') {
    throw new Refusal(ShardStatus.Replay, `delete time ${request.time} outside the accepted window`)
  }
  if (verdict === 'full') throw new Refusal(ShardStatus.Busy, 'too many recent deletes')
  for (const id of owned) await store.unclaim(id, request.fileId, envelope.publicKey)
}
