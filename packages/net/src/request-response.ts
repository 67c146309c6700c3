// The smallest DeFS protocol shape, for services that need no more: one request frame in, one
// answer frame out, per stream. Both ends bound what they read (frame caps), how long it may take
// (a deadline that aborts the stream, so nothing waits past it) and, on the serving side, how many
// streams one peer may hold; a peer that sends an oversize or undecodable request is reported.
import type { AbortOptions, Logger, PeerId, Stream } from '@libp2p/interface'
import type { ProtocolRegistrar, StreamOpener } from './components.ts'
import { PeerLimitError, ProtocolError } from './errors.ts'
import { type MisbehaviorHook, misbehaviorOf, reportMisbehavior } from './misbehavior.ts'
import { PeerBudget } from './peer-budget.ts'
import { readOneFrame, sendFrame } from './stream-io.ts'

/** Turns one request into its answer; throw a segment DecodeError for a request that does not decode. */
export type RequestAnswerer = (request: Uint8Array, peer: PeerId, signal: AbortSignal) => Promise<Uint8Array>

export interface HandleRequestsOptions {
  /** Largest request read, in bytes. */
  maxRequestBytes: number
  /** Streams of this protocol one peer may have open to us at once. Default 4. */
  maxStreamsPerPeer?: number
  /** The whole exchange (read, answer, send) must end within this many ms. Default 10 s. */
  timeoutMs?: number
  onPeerMisbehaved?: MisbehaviorHook
  log?: Logger
}

export interface SendRequestOptions extends AbortOptions {
  /** Largest answer read, in bytes. */
  maxResponseBytes: number
  /** The whole exchange must end within this many ms. Default 10 s. */
  timeoutMs?: number
  /** Ask over relayed (data- and time-limited) connections too. Default false. */
  runOnLimitedConnection?: boolean
}

const DEFAULT_TIMEOUT_MS = 10_000

/** Serve `protocol`: each stream carries one request, answered by `answer`. */
export async function handleRequests(
  registrar: ProtocolRegistrar,
  protocol: string,
  answer: RequestAnswerer,
  options: HandleRequestsOptions
): Promise<void> {
  const { maxRequestBytes, onPeerMisbehaved, log } = options
  const maxStreams = options.maxStreamsPerPeer ?? 4
  const budget = new PeerBudget({ maxStreamsPerPeer: maxStreams })
  await registrar.handle(
    protocol,
    async (stream, connection) => {
      const peer = connection.remotePeer
      const key = peer.toString()
      if (!budget.openStream(key)) {
        const detail = `more than ${maxStreams} concurrent ${protocol} streams`
        reportMisbehavior(onPeerMisbehaved, log, peer, 'too-many-streams', detail)
        stream.abort(new PeerLimitError(key, detail))
        return
      }
      const signal = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
      const stop = abortOn(stream, signal)
      try {
        const request = await readOneFrame(stream, maxRequestBytes)
        if (request === undefined)
          throw new ProtocolError(key, `closed the ${protocol} stream before a request`)
        await sendFrame(stream, await answer(request, peer, signal), { signal })
        await stream.close({ signal })
      } catch (err) {
        const reason = misbehaviorOf(err)
        if (reason !== undefined)
          reportMisbehavior(onPeerMisbehaved, log, peer, reason, (err as Error).message)
        log?.('%s request from %p failed: %e', protocol, peer, err)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      } finally {
        stop()
        budget.closeStream(key)
      }
    },
    // one more than the cap, so the excess stream reaches the handler and is reported there
    { maxInboundStreams: maxStreams + 1 }
  )
}

/** Send `request` to `peer` over `protocol` and read its one answer; settles by the deadline, always. */
export async function sendRequest(
  opener: StreamOpener,
  peer: PeerId,
  protocol: string,
  request: Uint8Array,
  options: SendRequestOptions
): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
  let stream: Stream | undefined
  let stop = (): void => {}
  try {
    stream = await opener.openStream(peer, protocol, {
      signal,
      runOnLimitedConnection: options.runOnLimitedConnection ?? false
    })
    stop = abortOn(stream, signal)
    await sendFrame(stream, request, { signal })
    await stream.close({ signal })
    const answer = await readOneFrame(stream, options.maxResponseBytes)
    if (answer === undefined)
      throw new ProtocolError(peer.toString(), `closed the ${protocol} stream without an answer`)
    return answer
  } catch (err) {
    stream?.abort(err instanceof Error ? err : new Error(String(err)))
    if (signal.aborted) throw signal.reason
    throw err
  } finally {
    stop()
  }
}

/** Abort `stream` when `signal` fires (ending any read or write on it); returns the unhook. */
export function abortOn(stream: Stream, signal: AbortSignal): () => void {
  const onAbort = (): void =>
    stream.abort(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)))
  if (signal.aborted) onAbort()
  else signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}
