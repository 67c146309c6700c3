// DefsClient: every route of the daemon's HTTP API, typed, on `fetch` and web streams only, so the
// same client runs in Node, Bun, Deno and a browser (the dashboard). With a token it sends it as a
// bearer; without one (a page the daemon served) the browser's session cookie goes along.
import { ApiError, connectionError, errorFromLine, errorFromResponse } from './errors.ts'
import { ndjson, serverSentEvents } from './lines.ts'
import type {
  DaemonEvent,
  DaemonEventMap,
  DaemonStatus,
  DaemonVersion,
  FileHealth,
  FileInfo,
  MaintenanceProgress,
  MaintenanceRecord,
  PairingLookup,
  PairReport,
  PeerInfo,
  PutResult,
  SessionInfo,
  ShareGrant,
  TaskAction,
  TaskProgress,
  TaskRecord,
  ThroughputSample,
  UserFileCapability,
  UserTree
} from './types.ts'

export interface ClientOptions {
  /** The API's base URL (`http://127.0.0.1:7420`); '' in a page the daemon served (same origin). */
  url?: string
  /** The API token; leave it out in a browser signed in with a session. */
  token?: string
  /** Another fetch (a test's, a runtime's); the global one by default. */
  fetch?: typeof fetch
}

/** Upload parameters, as `defs put` names them (name, mode, k, m, ...). */
export type UploadQuery = Record<string, string | number | undefined>

/** What an upload sends: bytes, a Blob (a browser's File), or a stream of chunks. */
export type UploadBody = Blob | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

export interface UploadOptions {
  query?: UploadQuery
  /** The body's length, when known (sent as Content-Length where the runtime lets it). */
  size?: number
  /** Bytes of a streamed body handed to the connection so far. */
  onSent?: (bytes: number) => void
  /** What the node reports while it encodes and places (bytes done). */
  onProgress?: (progress: TaskProgress) => void
  signal?: AbortSignal
}

export interface DownloadOptions {
  range?: { offset: number; length?: number }
  /** Called once with the bytes the download will give and the file's whole size. */
  onStart?: (length: number, size: number) => void
  signal?: AbortSignal
}

/** How many times a download cut mid-stream is resumed from where it stopped. */
const resumeAttempts = 2

export class DefsClient {
  readonly url: string
  readonly #token: string | undefined
  readonly #fetch: typeof fetch

  constructor(options: ClientOptions = {}) {
    this.url = (options.url ?? '').replace(/\/+$/, '')
    this.#token = options.token
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  }

  status(): Promise<DaemonStatus> {
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

  /** Starts a download task: the daemon writes the file (or a range) to `path` on its machine. */
  startDownload(ref: string, path: string, range?: { offset: number; length: number }): Promise<TaskRecord> {
    return this.json('POST', '/v1/downloads', { ref, path, ...(range === undefined ? {} : { range }) })
  }

  maintenance(): Promise<MaintenanceRecord> {
    return this.json('GET', '/v1/maintenance')
  }

  /** Switches maintenance mode on or off; resolves when every task it holds is paused (or resumed). */
  async setMaintenance(
    on: boolean,
    onProgress?: (p: MaintenanceProgress) => void
  ): Promise<MaintenanceRecord> {
    const res = await this.request('/v1/maintenance?progress', {
      method: 'POST',
      body: JSON.stringify({ on }),
      headers: { 'content-type': 'application/json' }
    })
    return this.result<MaintenanceRecord, MaintenanceProgress>(res, onProgress)
  }

  /** The node's pair: partner, epoch, health, heartbeat RTT and phi, migrations. */
  pair(): Promise<PairReport> {
    return this.json('GET', '/v1/pair')
  }

  /** Any peer's pairing record as the DHT has it, checked by the node (GET /v1/pair/:peer). */
  pairingOf(peer: string): Promise<PairingLookup> {
    return this.json('GET', `/v1/pair/${encodeURIComponent(peer)}`)
  }

  /** The last hour of throughput samples, oldest first (the dashboard's charts start from it). */
  throughput(): Promise<{ intervalMs: number; samples: ThroughputSample[] }> {
    return this.json('GET', '/v1/throughput')
  }

  /** The value of a counter or gauge without labels on the daemon's /metrics page (0 if absent). */
  async metric(name: string): Promise<number> {
    const text = await this.metricsText()
    const line = text.split('\n').find((l) => l.startsWith(`${name} `))
    return line === undefined ? 0 : Number(line.slice(name.length + 1))
  }

  /** The Prometheus text of /metrics. */
  async metricsText(): Promise<string> {
    return (await this.request('/metrics', { method: 'GET' })).text()
  }

  /**
   * Stores `body` as a new file (`POST /v1/files`) and resolves with where it went. Bytes and
   * Blobs are sent as they are; a stream is streamed (Node, Deno and Bun; a browser streams a
   * request body over HTTP/2 only, so give it the File).
   */
  async upload(body: UploadBody, options: UploadOptions = {}): Promise<PutResult> {
    const query = uploadQuery({ progress: 'ndjson', ...options.query })
    const streamed = !(body instanceof Blob || body instanceof Uint8Array)
    const res = await this.request(`/v1/files?${query}`, {
      method: 'POST',
      body: (streamed ? counted(body, options.onSent) : body) as BodyInit,
      headers: { 'content-type': 'application/octet-stream' },
      ...(streamed ? { duplex: 'half' } : {}),
      ...(options.signal === undefined ? {} : { signal: options.signal })
    } as RequestInit)
    return this.result<PutResult, TaskProgress>(res, options.onProgress)
  }

  /**
   * Asks the daemon to read `path` itself (`POST /v1/uploads`; the file must be on the daemon's
   * machine), so the upload is a task that can pause and resume.
   */
  async uploadPath(path: string, options: Omit<UploadOptions, 'size' | 'onSent'> = {}): Promise<PutResult> {
    const body: Record<string, string | number> = { path }
    for (const [key, value] of Object.entries(options.query ?? {})) if (value !== undefined) body[key] = value
    const res = await this.request('/v1/uploads', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      ...(options.signal === undefined ? {} : { signal: options.signal })
    })
    return this.result<PutResult, TaskProgress>(res, options.onProgress)
  }

  /** A file (or a range), as its bytes arrive; a download cut mid-stream resumes where it stopped. */
  async *download(ref: string, options: DownloadOptions = {}): AsyncIterable<Uint8Array> {
    let offset = options.range?.offset ?? 0
    let end: number | undefined =
      options.range?.length === undefined ? undefined : offset + options.range.length
    let attempts = 0
    for (;;) {
      const ranged = offset > 0 || end !== undefined
      const res = await this.request(`/v1/files/${encodeURIComponent(ref)}`, {
        headers: ranged ? { range: `bytes=${offset}-${end === undefined ? '' : end - 1}` } : {},
        ...(options.signal === undefined ? {} : { signal: options.signal })
      })
      if (end === undefined || attempts === 0) {
        const size = totalSize(res)
        end ??= size
        if (attempts === 0) options.onStart?.(end - offset, size)
      }
      const reader = res.body!.getReader()
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          offset += value.length
          yield value
        }
      } catch (err) {
        if (options.signal?.aborted) throw err
        if (++attempts > resumeAttempts)
          throw new ApiError(
            'DownloadCutError',
            `download cut at byte ${offset}: ${(err as Error).message}`,
            0
          )
        continue
      } finally {
        reader.releaseLock()
      }
      if (offset >= end) return
      if (++attempts > resumeAttempts)
        throw new ApiError('DownloadCutError', `download cut at byte ${offset} of ${end}`, 0)
    }
  }

  /** What changes on the node, as it happens (GET /v1/events), until `signal` aborts. */
  async *events(options: { signal?: AbortSignal } = {}): AsyncIterable<DaemonEvent> {
    const res = await this.request('/v1/events', {
      headers: { accept: 'text/event-stream' },
      ...(options.signal === undefined ? {} : { signal: options.signal })
    })
    for await (const e of serverSentEvents(res.body!)) {
      const type = e.event as keyof DaemonEventMap
      yield { type, data: JSON.parse(e.data), ...(e.id === undefined ? {} : { id: e.id }) } as DaemonEvent
    }
  }

  /** Trades the API token for a session cookie (HttpOnly, SameSite=Strict): a browser's sign-in. */
  async signIn(token: string): Promise<{ expires: number }> {
    return this.json('POST', '/v1/session', { token })
  }

  /**
   * Trades a user's name and passphrase for a session cookie that acts for that user alone (their
   * files; the operator's routes answer OperatorOnlyError). WrongPassphraseError, UnknownUserError.
   */
  async signInAsUser(user: string, passphrase: string): Promise<SessionInfo & { kind: 'user' }> {
    return this.json('POST', '/v1/session', { user, passphrase })
  }

  /** Whom this client's credentials stand for: the operator, or a user signed in. */
  async whoami(): Promise<SessionInfo> {
    return this.json('GET', '/v1/session')
  }

  /** The tree of the user a session cookie (in a browser) or `x-defs-session` stands for. */
  async tree(headers: Record<string, string> = {}): Promise<UserTree> {
    return this.json('GET', '/v1/users/me/tree', undefined, headers)
  }

  /** The capability of `ref` (a name or file id) of the session user's tree, or of a file shared with them. */
  userCapability(ref: string): Promise<UserFileCapability> {
    return this.json('GET', `/v1/users/me/files/${encodeURIComponent(ref)}`)
  }

  /** Grants `friend` (a user id, or a name known to the daemon) `file` (name or id) of the session user's tree. */
  shareWith(file: string, friend: string): Promise<ShareGrant> {
    return this.json('POST', '/v1/users/me/shares', { file, with: friend })
  }

  async signOut(): Promise<void> {
    await this.json('DELETE', '/v1/session')
  }

  /** `headers`: e.g. `x-defs-session` for a request that acts for one user (the mirror's accounts). */
  async json<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {}
  ): Promise<T> {
    const res = await this.request(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    return (await res.json()) as T
  }

  /** A request to the API with its credentials; an answer that is not 2xx is thrown as its ApiError. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers)
    if (this.#token !== undefined) headers.set('authorization', `Bearer ${this.#token}`)
    let res: Response
    try {
      res = await this.#fetch(`${this.url}${path}`, { ...init, headers })
    } catch (err) {
      if (init.signal?.aborted) throw err
      throw connectionError(err, this.url || 'this page')
    }
    if (!res.ok)
      throw errorFromResponse(
        res.status,
        await res.text(),
        this.url || 'this page',
        res.headers.get('retry-after')
      )
    return res
  }

  /** Reads an answer that is JSON, or NDJSON progress lines and one result (or error) line. */
  protected async result<R, P>(res: Response, onProgress?: (p: P) => void): Promise<R> {
    if (!(res.headers.get('content-type') ?? '').includes('ndjson')) return (await res.json()) as R
    let result: R | undefined
    for await (const line of ndjson<{ progress?: P; result?: R; error?: { name: string; message: string } }>(
      res.body!
    )) {
      if (line.progress !== undefined) onProgress?.(line.progress)
      if (line.error !== undefined) throw errorFromLine(line.error, 0)
      if (line.result !== undefined) result = line.result
    }
    if (result === undefined)
      throw new ApiError(
        'AnswerCutError',
        `the daemon at ${this.url || 'this page'} ended its answer without a result`,
        0
      )
    return result
  }
}

/** The query of an upload: its parameters, those left unset left out. */
export function uploadQuery(params: Record<string, string | number | undefined>): URLSearchParams {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value))
  return query
}

/** A stream of the body's chunks that counts them as the connection takes them. */
function counted(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  onSent?: (n: number) => void
): ReadableStream<Uint8Array> {
  const iterator =
    body instanceof ReadableStream
      ? iterate(body)
      : (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
  let sent = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await iterator.next()
      if (done) {
        controller.close()
        return
      }
      sent += value.byteLength
      onSent?.(sent)
      controller.enqueue(value)
    },
    async cancel(reason) {
      await iterator.return?.(reason)
    }
  })
}

async function* iterate(stream: ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    reader.releaseLock()
  }
}

function totalSize(res: Response): number {
  const range = res.headers.get('content-range')
  const fromRange = range === null ? undefined : /\/(\d+)$/.exec(range)?.[1]
  return Number(fromRange ?? res.headers.get('content-length') ?? 0)
}
