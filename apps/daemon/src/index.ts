/**
 * @defs/daemon: a long-running DeFS node with an authenticated HTTP API on 127.0.0.1 and
 * Prometheus metrics.
 *
 * ```ts
 * import { startDaemon } from '@defs/daemon'
 *
 * const daemon = await startDaemon({ dir: './node-1', port: 0, node: { port: 0 } })
 * const res = await fetch(`${daemon.url}/v1/status`, {
 *   headers: { authorization: `Bearer ${daemon.token}` }
 * })
 * console.log(await res.json()) // { peerId, addresses, peers, storedBytes, quota, ... }
 * await daemon.stop()
 * ```
 *
 * As a process: `node apps/daemon/src/main.ts --dir D` (see daemonEntryPoint) prints one JSON
 * ready line and stops gracefully on SIGTERM/SIGINT.
 */

export { writeFileAtomic } from '@defs/node/config'
export { apiTokenPath, bearerMatches, ensureApiToken, readApiToken, TokenFileError } from './api-token.ts'
export { ApiPortInUseError, type Daemon, type DaemonOptions, startDaemon } from './daemon.ts'
export {
  type DaemonConfig,
  DaemonConfigError,
  daemonConfigPath,
  defaultApiHost,
  defaultApiPort,
  readDaemonConfig,
  type StoredNodeOptions,
  writeDaemonConfig
} from './daemon-config.ts'
export { daemonLogPath } from './daemon-log.ts'
export { daemonEntryPoint } from './entry-point.ts'
export type { ErrorBody } from './http/http-errors.ts'
export { daemonVersion } from './http/local-routes.ts'
export {
  FlagError,
  flagValueOf,
  integerFlag,
  type NodeFlags,
  nodeFlagHelp,
  nodeOptionsFromFlags,
  parseByteSize,
  serviceFlagNames
} from './node-flags.ts'
export { checkNodeOptions, optionFlags } from './node-flags-check.ts'
export { StopTimeoutError, stopWithin, waitForStopSignal } from './stop-signal.ts'
export { allowExternalLoginHelp } from './user-sessions.ts'
