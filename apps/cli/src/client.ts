// The daemon's HTTP API from the CLI's side. JSON calls use fetch; uploads use node:http so the
// NDJSON progress of the daemon can be read while the body is still being sent; downloads that
// are cut mid-stream resume (up to twice) from where they stopped, which either finishes the file or
// turns the cause (e.g. a slice with too few shards) into a proper error.
import { type IncomingMessage, request } from 'node:http'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type {
  FileHealth,
  FileInfo,
  NodeStatus,
  PeerInfo,
  PutResult,
  TaskProgress,
  TaskRecord
} from '@defs/node'
import { ApiError, DaemonUnreachableError } from './user-error.ts'

export interface ApiTarget {
  url: string
  token: string
}

export interface UploadOptions {
  query?: Record<string, string | number | undefined>
  size?: number
  /** Bytes handed to the daemon so far. */
  onSent?: (bytes: number) => void
  /** What the node reports (bytes encoded and placed). */
  onProgress?: (progress: TaskProgress) => void
}

export interface DownloadOptions {
  range?: { offset: number; length?: number }
  /** Called once with the number of bytes the download will produce and the file's total size. */
  onStart?: (length: number, size: number) => void
}

export type TaskAction = 'pause' | 'resume' | 'cancel'

export interface DaemonVersion {
  version: string
  node: string
  pid: number
}

/** How many times a cut download is resumed before it is given up. */
const resumeAttempts = 2

export class ApiClient {
  readonly url: string
  readonly #token: string

  constructor(target: ApiTarget) {
    this.url = target.url.replace(/\/+$/, '')
    this.#token = target.token
  }

  status(): Promise<NodeStatus & { quota: { usedBytes: number; maxBytes: number } }> {
    return this.json('GET', '/v1/status')
  }

  /** The daemon's version and pid (older daemons have no such route: undefined). */
  async version(): Promise<DaemonVersion | undefined> {
    try {
      return await this.json<DaemonVersion>('GET', '/v1/version')
    } catch (err) {
      if ((err as ApiError).status === 404) return undefined
      throw err
    }
  }

  async peers(): Promise<PeerInfo[]> {
    return (await this.json<{ peers: PeerInfo[] }>('GET', '/v1/peers')).peers
  }

  connect(address: string): Promise<{ connected: string }> {
    return this.json('POST', '/v1/peers', { address })
  }

  async files(): Promise<FileInfo[]> {
    return (await this.json<{ files: FileInfo[] }>('GET', '/v1/files')).files
  }

  info(ref: string): Promise<FileInfo> {
    return this.json('GET', `/v1/files/${encodeURIComponent(ref)}/info`)
  }

  /** The read capability of a file whose key the daemon's node keeps. */
  capability(ref: string): Promise<{ fileId: string; capability: string }> {
    return this.json('GET', `/v1/files/${encodeURIComponent(ref)}/capability`)
  }

  health(ref: string): Promise<FileHealth> {
    return this.json('GET', `/v1/files/${encodeURIComponent(ref)}/health`)
  }

  remove(ref: string): Promise<{ fileId: string; shardsDeleted: number }> {
    return this.json('DELETE', `/v1/files/${encodeURIComponent(ref)}`)
  }

  async tasks(): Promise<TaskRecord[]> {
    return (await this.json<{ tasks: TaskRecord[] }>('GET', '/v1/tasks')).tasks
  }

  task(id: string): Promise<TaskRecord> {
    return this.json('GET', `/v1/tasks/${encodeURIComponent(id)}`)
  }

  taskAction(id: string, action: TaskAction): Promise<TaskRecord> {
    return this.json('POST', `/v1/tasks/${encodeURIComponent(id)}/${action}`)
  }

  /**
   * Starts a download task (`POST /v1/downloads`): the daemon writes the file (or a range) to
   * `path` on its machine, persisted and resumable; follow it with task().
   */
  startDownload(ref: string, path: string, range?: { offset: number; length: number }): Promise<TaskRecord> {
    return this.json('POST', '/v1/downloads', { ref, path, ...(range === undefined ? {} : { range }) })
  }

  /** The value of a counter or gauge without labels on the daemon's /metrics page (0 if absent). */
  async metric(name: string): Promise<number> {
    const res = await this.#fetch('/metrics', { method: 'GET' })
    const text = await res.text()
    if (!res.ok) throw errorFromResponse(res.status, text, this.url)
    const line = text.split('\n').find((l) => l.startsWith(`${name} `))
    return line === undefined ? 0 : Number(line.slice(name.length + 1))
  }

  /** `headers`: e.g. `x-defs-session` for a request that acts for one user. */
  async json<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {}
  ): Promise<T> {
    const res = await this.#fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    if (!res.ok) throw errorFromResponse(res.status, await res.text(), this.url)
    return (await res.json()) as T
  }

  /** Streams `source` to `POST /v1/files`; resolves with where the file went. */
  upload(source: Readable | AsyncIterable<Uint8Array>, options: UploadOptions = {}): Promise<PutResult> {
    const query = new URLSearchParams({ progress: 'ndjson' })
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) query.set(key, String(value))
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${this.#token}`,
      'content-type': 'application/octet-stream'
    }
    if (options.size !== undefined) headers['content-length'] = options.size
    return new Promise<PutResult>((resolve, reject) => {
      let answered = false
      const req = request(`${this.url}/v1/files?${query}`, { method: 'POST', headers }, (res) => {
        answered = true
        readUploadAnswer(res, this.url, options.onProgress).then(resolve, reject)
      })
      let sent = 0
      async function* counted(): AsyncIterable<Uint8Array> {
        for await (const chunk of source as AsyncIterable<Uint8Array>) {
          sent += chunk.length
          options.onSent?.(sent)
          yield chunk
        }
      }
      pipeline(counted(), req).catch((err: NodeJS.ErrnoException) => {
        // The daemon may answer (401, 400, 503) and close before reading the whole body; its
        // answer is the error worth showing, so wait for it a moment before reporting the socket's.
        // Not unref'd: with nothing else pending the process would exit before it rejects.
        setTimeout(() => {
          if (!answered) reject(connectionError(err, this.url))
        }, 1000)
      })
    })
  }

  /**
   * Asks the daemon to read `path` itself (`POST /v1/uploads`; it must be on this machine), so
   * the upload task can pause and resume; the answer is the same NDJSON as upload()'s.
   */
  uploadPath(path: string, options: Omit<UploadOptions, 'size' | 'onSent'> = {}): Promise<PutResult> {
    const body: Record<string, string | number> = { path }
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) body[key] = value
    const text = JSON.stringify(body)
    const headers = {
      authorization: `Bearer ${this.#token}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text)
    }
    return new Promise<PutResult>((resolve, reject) => {
      const req = request(`${this.url}/v1/uploads`, { method: 'POST', headers }, (res) => {
        readUploadAnswer(res, this.url, options.onProgress).then(resolve, reject)
      })
      req.on('error', (err: NodeJS.ErrnoException) => reject(connectionError(err, this.url)))
      req.end(text)
    })
  }

  /** Streams a file (or a range) from `GET /v1/files/:ref`. */
  async *download(ref: string, options: DownloadOptions = {}): AsyncIterable<Uint8Array> {
    let offset = options.range?.offset ?? 0
    let end: number | undefined =
      options.range?.length === undefined ? undefined : offset + options.range.length
    let attempts = 0
    for (;;) {
      const ranged = offset > 0 || end !== undefined
      const res = await this.#fetch(`/v1/files/${encodeURIComponent(ref)}`, {
        headers: ranged ? { range: `bytes=${offset}-${end === undefined ? '' : end - 1}` } : {}
      })
      if (!res.ok) throw errorFromResponse(res.status, await res.text(), this.url)
      if (end === undefined || attempts === 0) {
        const size = totalSize(res)
        end ??= size
        if (attempts === 0) options.onStart?.(end - offset, size)
      }
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          offset += chunk.length
          yield chunk
        }
      } catch (err) {
        if (++attempts > resumeAttempts)
          throw new ApiError(
            'DownloadCutError',
            `download cut at byte ${offset}: ${(err as Error).message}`,
            0
          )
        continue
      }
      if (offset >= end) return
      if (++attempts > resumeAttempts)
        throw new ApiError('DownloadCutError', `download cut at byte ${offset} of ${end}`, 0)
    }
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${this.url}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${this.#token}`, ...(init.headers as Record<string, string>) }
      })
    } catch (err) {
      throw connectionError(((err as Error).cause ?? err) as NodeJS.ErrnoException, this.url)
    }
  }
}

function totalSize(res: Response): number {
  const range = res.headers.get('content-range')
  const fromRange = range === null ? undefined : /\/(\d+)$/.exec(range)?.[1]
  return Number(fromRange ?? res.headers.get('content-length') ?? 0)
}

function connectionError(err: NodeJS.ErrnoException, url: string): Error {
  if (err?.code === 'ECONNREFUSED') {
    return new DaemonUnreachableError(
      `no daemon answers at ${url} (connection refused); start one with \`defs start\``
    )
  }
  if (err?.code === 'ECONNRESET' || err?.code === 'EPIPE') {
    return new DaemonUnreachableError(
      `the daemon at ${url} closed the connection (${err.code}); is it stopping?`
    )
  }
  return new DaemonUnreachableError(`cannot reach the daemon at ${url}: ${err?.message ?? String(err)}`)
}

export function errorFromResponse(status: number, text: string, url: string): ApiError {
  if (status === 401) {
    return new ApiError(
      'UnauthorizedError',
      `the daemon at ${url} refused the API token (check --token, DEFS_TOKEN or <dir>/api-token)`,
      401
    )
  }
  try {
    const { error } = JSON.parse(text) as { error: { name: string; message: string } }
    return new ApiError(error.name, error.message, status)
  } catch {
    return new ApiError('HttpError', `the daemon at ${url} answered ${status}: ${text.slice(0, 200)}`, status)
  }
}

async function readUploadAnswer(
  res: IncomingMessage,
  url: string,
  onProgress: ((p: TaskProgress) => void) | undefined
): Promise<PutResult> {
  res.setEncoding('utf8')
  if (res.statusCode !== 200 && res.statusCode !== 201) {
    let text = ''
    for await (const chunk of res) text += chunk
    throw errorFromResponse(res.statusCode ?? 0, text, url)
  }
  let buffered = ''
  let result: PutResult | undefined
  for await (const chunk of res as AsyncIterable<string>) {
    buffered += chunk
    let newline = buffered.indexOf('\n')
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim()
      buffered = buffered.slice(newline + 1)
      newline = buffered.indexOf('\n')
      if (line.length === 0) continue
      const message = JSON.parse(line) as {
        progress?: TaskProgress
        result?: PutResult
        error?: { name: string; message: string }
      }
      if (message.progress) onProgress?.(message.progress)
      if (message.error) throw new ApiError(message.error.name, message.error.message, 200)
      if (message.result) result = message.result
    }
  }
  if (result === undefined)
    throw new ApiError('UploadCutError', `the daemon at ${url} ended the upload without a result`, 0)
  return result
}
