// "Slice S of this file looked ill to me": what a reader that needed parity, or met a shard that
// did not match its id, tells the file's elected repairer. It carries no proof, so a repairer
// only uses it to check the file sooner, never to rebuild on its word.

import type { PublicKey } from '@defs/crypto'
import { decodeWith, encodeWith } from './codec.ts'
import { fileIdField, publicKeyField } from './fields.ts'
import { limits } from './limits.ts'
import { uint } from './schema.ts'
import { struct } from './struct.ts'

export const REPAIR_REPORT_VERSION = 1

export interface RepairReport {
  fileId: Uint8Array
  /** The file owner's key: whose manifest the reader followed. */
  owner: PublicKey
  /** The slice the read found ill. */
  slice: number
}

const repairReportSchema = struct<RepairReport>(
  [
    { key: 1, name: 'fileId', schema: fileIdField },
    { key: 2, name: 'owner', schema: publicKeyField },
    { key: 3, name: 'slice', schema: uint(0, limits.maxSlices - 1) }
  ],
  { version: REPAIR_REPORT_VERSION }
)

export function encodeRepairReport(report: RepairReport): Uint8Array {
  return encodeWith(repairReportSchema, report, limits.maxBytes.repairReport, 'repairReport')
}

export function decodeRepairReport(bytes: Uint8Array): RepairReport {
  return decodeWith(repairReportSchema, bytes, limits.maxBytes.repairReport, 'repairReport')
}
