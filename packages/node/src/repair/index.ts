// Network repair: the service that keeps every file this node holds shards of at full health
// without its owner (see doc/architecture.md, "Repair").
export { electionOrder, mayRepair } from './election.ts'
export { type HeldFile, heldFiles, manifestOf } from './held-files.ts'
export {
  type RepairOptions,
  type ResolvedRepairOptions,
  repairThresholdOf,
  resolveRepairOptions
} from './repair-options.ts'
export { type FileCheck, type RepairEvents, RepairService, repair } from './repair-service.ts'
export {
  type RepairCheckpoint,
  type RepairedSlice,
  type RepairParams,
  type RepairResult,
  RepairRunner
} from './repair-task.ts'
export { type RepairInProgress, repairsInProgress } from './repairs-in-progress.ts'
export { isReplicated, type SliceNeed, slicesToRepair } from './slice-needs.ts'
export { ownCopies, tidyCopies, type Withdrawn } from './tidy-copies.ts'
