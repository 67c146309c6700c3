// What the asking side makes of a peer's answer: a refusal as its typed error, a shard body read
// from its frames and hashed on the way.
import { createSha256 } from '@defs/crypto'
import { FrameOverrunError, type FrameReader, ShardStatus, TruncatedFrameError } from '@defs/segment'
import type { PeerId } from '@libp2p/interface'
import {
  QuotaExceededError,
  ReplayError,
  ShardNotFoundError,
  ShardProtocolError,
  ShardRefusedError
} from './errors.ts'

/** The typed error of a peer's refusal with `status`. */
export function refusalError(
  peer: string,
  status: ShardStatus,
  message: string
): ShardRefusedError | QuotaExceededError {
  if (status === ShardStatus.NotFound) return new ShardNotFoundError(peer, status, message)
  if (status === ShardStatus.NoSpace) return new QuotaExceededError(message, peer)
  if (status === ShardStatus.Replay) return new ReplayError(peer, status, message)
  return new ShardRefusedError(peer, status, message)
}

/** `length` bytes from data frames, hashed on the way, copied once into one buffer. */
export async function receiveShard(
  frames: FrameReader,
  length: number,
  peer: PeerId
): Promise<{ bytes: Uint8Array; sha256?: Uint8Array }> {
  const bytes = new Uint8Array(length)
  const sha = createSha256()
  let filled = 0
  try {
    for await (const piece of frames.bodies(length)) {
      bytes.set(piece, filled)
      sha.update(piece)
      filled += piece.byteLength
    }
  } catch (err) {
    if (err instanceof FrameOverrunError)
      throw new ShardProtocolError(peer.toString(), `sent more than the ${length} bytes it announced`)
    if (err instanceof TruncatedFrameError)
      throw new ShardProtocolError(peer.toString(), `stream ended after ${filled} of ${length} shard bytes`)
    throw err
  }
  return { bytes, sha256: sha.digest() }
}
