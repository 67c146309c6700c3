import { describeShardProtocol } from './shard-suite.ts'

for (const transport of ['memory', 'tcp'] as const) describeShardProtocol(transport)
