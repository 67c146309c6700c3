/**
 * @packageDocumentation
 *
 * `@defs/node/config`: the node's options and config file without the node (no libp2p, no
 * workers), for tools that read or write a node's settings (`defs init`, `defs config`) and for
 * checks that should not load a whole node.
 *
 * @example
 * ```ts
 * import { readNodeConfig, writeNodeConfig } from '@defs/node/config'
 *
 * await writeNodeConfig({ dataDir: '/tmp/defs-a', port: 7421, maxStorage: 2 ** 30 })
 * console.log((await readNodeConfig('/tmp/defs-a'))?.port) // 7421
 * ```
 */
export { type AtomicWriteOptions, writeFileAtomic } from './disk/atomic-file.ts'
export { readNodeConfig, type StoredNodeOptions, writeNodeConfig } from './disk/node-config.ts'
export { ConfigFileError, InvalidOptionError } from './errors.ts'
export {
  MAX_SLICE_SIZE,
  type NodeOptions,
  optionNames,
  type ResolvedNodeOptions,
  resolveNodeOptions
} from './options.ts'
