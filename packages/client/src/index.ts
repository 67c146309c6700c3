export {
  type ClientOptions,
  DefsClient,
  type DownloadOptions,
  type UploadBody,
  type UploadOptions,
  type UploadQuery,
  uploadQuery
} from './client.ts'
export {
  ApiError,
  connectionError,
  DaemonUnreachableError,
  errorFromLine,
  errorFromResponse
} from './errors.ts'
export { ndjson, type ServerSentEvent, serverSentEvents, textLines } from './lines.ts'
export type * from './types.ts'
