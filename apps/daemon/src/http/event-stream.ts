// GET /v1/events: what changes on the node, as server-sent events, so the dashboard and scripts
// do not poll. One stream per client: task progress and state (at most a few lines a second per
// task: progress repeats), lifecycle and maintenance changes, peers joining and leaving, rotted
// shards, republishes, the node's status (disk use, peers) every few seconds, and each
// throughput sample (every 5 s) the dashboard charts. A client that
// does not keep up is cut off rather than buffered for: the daemon holds at most
// `maxBufferedBytes` for it. A comment line every 15 s keeps proxies from closing an idle stream.
import type { ServerResponse } from 'node:http'
import type { NodeEventMap, TaskRecord } from '@defs/node'
import { THROUGHPUT_INTERVAL_MS, type ThroughputSample } from '../throughput.ts'
import { HttpError } from './http-errors.ts'
import { sendJson } from './respond.ts'
import type { RequestContext, Route } from './route.ts'

/** Streams open at once; one more gets 503 (each holds a listener on every node event). */
export const MAX_EVENT_STREAMS = 32
const maxBufferedBytes = 1024 * 1024
const taskProgressIntervalMs = 250
const statusIntervalMs = 5000
const keepAliveMs = 15_000

/** The node events a stream forwards, by the SSE event name they go out under. */
const forwarded = [
  'lifecycle',
  'maintenance',
  'republish',
  'shard:rotted',
  'peer:connect',
  'peer:disconnect'
] as const satisfies readonly (keyof NodeEventMap)[]

let open = 0

/** The last hour of throughput samples (GET /v1/throughput): what the charts start from. */
async function throughput(ctx: RequestContext): Promise<void> {
  sendJson(ctx.res, 200, { intervalMs: THROUGHPUT_INTERVAL_MS, samples: ctx.metrics.throughput.list() })
}

async function events(ctx: RequestContext): Promise<void> {
  const { node, res, req } = ctx
  if (open >= MAX_EVENT_STREAMS)
    throw new HttpError(503, 'TooManyStreamsError', `${MAX_EVENT_STREAMS} event streams are open already`)
  open++
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no'
  })
  let id = 0
  const send = (event: string, data: unknown): void => {
    if (res.writableLength > maxBufferedBytes) {
      res.destroy()
      return
    }
    res.write(`id: ${++id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }
  const lastProgress = new Map<string, number>()
  const onTask = (e: CustomEvent<TaskRecord>): void => {
    const t = e.detail
    const now = Date.now()
    // State changes always go out; progress within a state at most every 250 ms per task.
    const key = `${t.id}:${t.state}`
    if (t.state === 'running' && now - (lastProgress.get(key) ?? 0) < taskProgressIntervalMs) return
    lastProgress.set(key, now)
    send('task', taskLine(t))
  }
  const listeners = forwarded.map((name) => {
    const listener = (e: CustomEvent<unknown>): void => send(name, e.detail)
    node.events.addEventListener(name, listener as never)
    return () => node.events.removeEventListener(name, listener as never)
  })
  node.events.addEventListener('task', onTask)
  const onSample = (e: Event): void => send('throughput', (e as CustomEvent<ThroughputSample>).detail)
  ctx.metrics.throughput.addEventListener('sample', onSample)
  const sendStatus = async (): Promise<void> => {
    try {
      send('status', await node.status())
    } catch {
      // the node is stopping: the stream ends with it
    }
  }
  const statusTimer = setInterval(sendStatus, statusIntervalMs)
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs)
  await sendStatus()
  await new Promise<void>((resolve) => {
    const end = (): void => resolve()
    req.on('close', end)
    res.on('close', end)
  })
  clearInterval(statusTimer)
  clearInterval(keepAlive)
  node.events.removeEventListener('task', onTask)
  ctx.metrics.throughput.removeEventListener('sample', onSample)
  for (const remove of listeners) remove()
  open--
  endQuietly(res)
}

/** A task as the stream carries it: without its checkpoint (resume state, possibly large). */
function taskLine(t: TaskRecord): Omit<TaskRecord, 'checkpoint'> {
  const { checkpoint: _checkpoint, ...line } = t
  return line
}

function endQuietly(res: ServerResponse): void {
  if (!res.destroyed) res.end()
}

export const eventRoutes: Route[] = [
  { method: 'GET', pattern: '/v1/events', handler: events },
  { method: 'GET', pattern: '/v1/throughput', handler: throughput }
]
