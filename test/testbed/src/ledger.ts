// The durability ledger: every upload a daemon acknowledged, with the SHA-256 of what was sent.
// At the end of a test every entry is read back in full from a host that did not write it; a
// single missing or different byte fails the test. Nothing acknowledged may be lost.
import type { TestbedHost } from './host.ts'

/** One shard's acknowledgement: which holder took it and how many durable copies it said exist. */
export interface ShardAck {
  slice: number
  index: number
  peerId: string
  /** 2 from a paired holder whose partner took its copy, 1 otherwise; absent if the put named none. */
  copies?: number
}

export interface LedgerEntry {
  fileId: string
  capability: string
  sha256: string
  size: number
  writer: TestbedHost
  /** Every shard acknowledged for the upload, with its copy count. */
  acks: ShardAck[]
}

/** An acknowledged file did not come back whole; the message lists every one that did not. */
export class DurabilityError extends Error {
  override name = 'DurabilityError'
  readonly failures: string[]
  constructor(failures: string[], total: number) {
    super(
      `${failures.length} of ${total} acknowledged files did not come back whole:\n  ${failures.join('\n  ')}`
    )
    this.failures = failures
  }
}

export class DurabilityLedger {
  readonly entries: LedgerEntry[] = []

  record(entry: LedgerEntry): void {
    this.entries.push(entry)
  }

  /**
   * Reads every entry back through the CLI of a running host other than its writer (`readers`,
   * in turn) and compares length and SHA-256 of the bytes the test process received.
   */
  async verify(readers: TestbedHost[]): Promise<{ checked: number; bytes: number }> {
    const failures: string[] = []
    let bytes = 0
    for (const [i, e] of this.entries.entries()) {
      const candidates = readers.filter((h) => h !== e.writer && h.running)
      const reader = candidates[i % Math.max(1, candidates.length)]
      if (reader === undefined) {
        failures.push(`${e.fileId}: no running host other than its writer ${e.writer.name} to read it`)
        continue
      }
      const got = await reader.cli(['cat', e.capability], { hashStdout: true })
      bytes += got.bytes
      if (got.code !== 0) {
        failures.push(
          `${e.fileId} from ${reader.name}: defs cat exited ${got.code ?? got.signal}: ${got.stderr.trim().split('\n').at(-1)}`
        )
      } else if (got.bytes !== e.size || got.sha256 !== e.sha256) {
        failures.push(
          `${e.fileId} from ${reader.name}: ${got.bytes} bytes sha256 ${got.sha256}, acknowledged ${e.size} bytes sha256 ${e.sha256}`
        )
      }
    }
    if (failures.length > 0) throw new DurabilityError(failures, this.entries.length)
    return { checked: this.entries.length, bytes }
  }
}
