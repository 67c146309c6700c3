// The daemon's HTTP API from the CLI's side: @defs/client's typed client, with one thing Node does
// better than fetch. An upload of a stream goes over node:http, so the daemon's NDJSON progress
// (bytes encoded and placed) is read while the body is still being sent; fetch gives the answer
// only once the whole body is out. Everything else is the shared client.
import { request } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  connectionError,
  DefsClient,
  errorFromResponse,
  type PutResult,
  type TaskProgress,
  type UploadBody,
  type UploadOptions,
  uploadQuery
} from '@defs/client'

export type { DaemonVersion, DownloadOptions, TaskAction, UploadOptions } from '@defs/client'

export interface ApiTarget {
  url: string
  token: string
  /** A user session from defs login, sent as x-defs-session on every request. */
  session?: string
}

export class ApiClient extends DefsClient {
  /** The API token (the operator's: `defs dashboard` prints it for the sign-in page). */
  readonly token: string
  readonly session: string | undefined

  constructor(target: ApiTarget) {
    super({ url: target.url, token: target.token })
    this.token = target.token
    this.session = target.session
  }

  override request(path: string, init: RequestInit = {}): Promise<Response> {
    if (this.session === undefined) return super.request(path, init)
    const headers = new Headers(init.headers)
    headers.set('x-defs-session', this.session)
    return super.request(path, { ...init, headers })
  }

  /** Streams `source` to `POST /v1/files`; resolves with where the file went. */
  override upload(source: UploadBody, options: UploadOptions = {}): Promise<PutResult> {
    if (source instanceof Blob || source instanceof Uint8Array || source instanceof ReadableStream)
      return super.upload(source, options)
    const query = uploadQuery({ progress: 'ndjson', ...options.query })
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${this.token}`,
      'content-type': 'application/octet-stream'
    }
    if (options.size !== undefined) headers['content-length'] = options.size
    if (this.session !== undefined) headers['x-defs-session'] = this.session
    return new Promise<PutResult>((resolve, reject) => {
      let answered = false
      const req = request(`${this.url}/v1/files?${query}`, { method: 'POST', headers }, (res) => {
        answered = true
        const answer = new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, {
          status: res.statusCode ?? 0,
          headers: { 'content-type': String(res.headers['content-type'] ?? '') }
        })
        this.#answer(answer, options.onProgress, res.headers['retry-after']).then(resolve, reject)
      })
      let sent = 0
      async function* counted(): AsyncIterable<Uint8Array> {
        for await (const chunk of source as AsyncIterable<Uint8Array>) {
          sent += chunk.length
          options.onSent?.(sent)
          yield chunk
        }
      }
      pipeline(counted(), req).catch((err: unknown) => {
        // The daemon may answer (401, 400, 503) and close before reading the whole body; its
        // answer is the error worth showing, so wait for it a moment before reporting the socket's.
        // Not unref'd: with nothing else pending the process would exit before it rejects.
        setTimeout(() => {
          if (!answered) reject(connectionError(err, this.url))
        }, 1000)
      })
    })
  }

  async #answer(
    res: Response,
    onProgress: ((p: TaskProgress) => void) | undefined,
    retryAfter: string | string[] | undefined
  ): Promise<PutResult> {
    if (!res.ok) {
      const after = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter
      throw errorFromResponse(res.status, await res.text(), this.url, after)
    }
    return this.result<PutResult, TaskProgress>(res, onProgress)
  }
}
