// QUIC in a process of its own: its native runtime's threads slowed the in-memory load test enough
// to trip its stream limits when both ran in one process.
import { describeShardProtocol } from './shard-suite.ts'

describeShardProtocol('quic')
