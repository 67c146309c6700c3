// Read-triggered repair (as MinIO heals on read): a read that needed parity or met a bad shard
// tells the file's repairer, over `/defs/repair-report/1.0.0`, which checks the file soon instead
// of at its next interval. A report proves nothing: the repairer only checks sooner, and only a
// file it keeps. The reader sends one report per slice per check interval (deduplicated here), to
// the two nearest holders that served it by the election's order, and to its own repair service
// when it keeps the file itself.
import { decodePublicKey, fromHex } from '@defs/crypto'
import { handleRequests, sendRequest } from '@defs/net'
import { decodeRepairReport, encodeRepairReport, limits } from '@defs/segment'
import { peerIdFromString } from '@libp2p/peer-id'
import type { NodeComponents } from '../components.ts'
import { toHex } from '../disk/hex.ts'
import type { DegradedSlice } from '../events.ts'
import { electionOrder } from './election.ts'

export const REPAIR_REPORT_PROTOCOL = '/defs/repair-report/1.0.0'
const REPORT_TIMEOUT_MS = 5000
/**
 * Holders told, nearest first: the two a read knows nearest, so the report reaches the elected
 * repairer (or the one next in turn, which checks again when its turn comes) if one of them is gone.
 */
const REPORT_TO = 2
const ACK = Uint8Array.of(1)

export interface ReportSink {
  /** A read found slice `slice` of the file ill; `from` is the reporting peer (this node: its own id). */
  report(fileIdHex: string, slice: number, from: string): void
}

/** Serves reports: a file this node keeps (holds a shard of) is handed to `sink`, others are ignored. */
export async function serveReports(c: NodeComponents, sink: ReportSink): Promise<void> {
  await handleRequests(
    c.host,
    REPAIR_REPORT_PROTOCOL,
    async (bytes, peer) => {
      const report = decodeRepairReport(bytes)
      if ((await c.shards.shardsOf(report.fileId)).length > 0) {
        sink.report(toHex(report.fileId), report.slice, peer.toString())
      }
      return ACK
    },
    { maxRequestBytes: limits.maxBytes.repairReport, timeoutMs: REPORT_TIMEOUT_MS }
  )
}

/** Sends each degraded slice once per `intervalMs` to the file's repairer (this node's sink first). */
export class ReadReporter {
  readonly #c: NodeComponents
  readonly #sink: ReportSink
  readonly #intervalMs: number
  /** `file/slice` -> when it was last reported. */
  readonly #sent = new Map<string, number>()

  constructor(c: NodeComponents, sink: ReportSink, intervalMs: number) {
    this.#c = c
    this.#sink = sink
    this.#intervalMs = intervalMs
  }

  /** Reports `d` unless it was within the interval; never throws (a report is best effort). */
  async degraded(d: DegradedSlice): Promise<void> {
    const key = `${d.fileIdHex}/${d.slice}`
    const now = Date.now()
    for (const [k, at] of this.#sent) if (now - at >= this.#intervalMs) this.#sent.delete(k)
    if (this.#sent.has(key)) return
    this.#sent.set(key, now)
    const c = this.#c
    const fileId = fromHex(d.fileIdHex)
    // A keeper checks at once itself, and still tells the nearest holders: it may not be first.
    if ((await c.shards.shardsOf(fileId)).length > 0) this.#sink.report(d.fileIdHex, d.slice, c.peerId)
    const request = encodeRepairReport({ fileId, owner: decodePublicKey(fromHex(d.owner)), slice: d.slice })
    const order = await electionOrder(fileId, d.served)
    const opener = { openStream: c.host.dialProtocol.bind(c.host) }
    let told = 0
    for (const peer of order) {
      if (told >= REPORT_TO) return
      if (peer === c.peerId) continue
      try {
        await sendRequest(opener, peerIdFromString(peer), REPAIR_REPORT_PROTOCOL, request, {
          maxResponseBytes: ACK.length,
          timeoutMs: REPORT_TIMEOUT_MS
        })
        told++
      } catch {
        // that holder is gone or busy: the next one in the election
      }
    }
  }
}
