/**
 * @defs/cli: the `defs` command, and the pieces other tools reuse: the API client and the
 * devnet (N daemons as separate processes on 127.0.0.1).
 *
 * ```ts
 * import { startDevnet } from '@defs/cli'
 *
 * const devnet = await startDevnet({ nodes: 6, dir: '/tmp/net' })
 * const client = devnet.client('node-1')
 * const put = await client.upload(createReadStream('big.bin'), { query: { mode: 'rs-proportion', k: 4, m: 2 } })
 * for await (const chunk of client.download(put.fileId)) process.stdout.write(chunk)
 * await devnet.stop()
 * ```
 */
export {
  ApiClient,
  type ApiTarget,
  type DownloadOptions,
  type TaskAction,
  type UploadOptions
} from './client.ts'
export { type ConnectionFlags, connect, nodeDirectory } from './connect.ts'
export { type Devnet, type DevnetNode, type DevnetOptions, startDevnet } from './devnet/devnet.ts'
export { ApiError, DaemonUnreachableError, UserError } from './user-error.ts'
