// A slice worker thread: seals and opens slices for the pool, one message at a time. The plain
// slice (seal) or the shards (open) arrive moved into this thread and go back as `spare`, moved
// again, so the pool can reuse their memory for the next slice.
import { parentPort } from 'node:worker_threads'
import { openSlice, sealSlice } from './slice-codec.ts'
import { rebuildSlice } from './slice-rebuild.ts'
import { post, type SliceJob, type SliceReply, toWire, transferables } from './worker-protocol.ts'

const port = parentPort
if (port === null) throw new Error('slice-worker.ts runs as a worker thread (see workers.ts)')

port.on('message', (job: SliceJob) => {
  handle(job)
    .then(({ reply, transfer }) => post(port, reply, transfer))
    .catch((e: unknown) => port.postMessage({ id: job.id, ok: false, error: toWire(e), spare: [] }))
})

async function handle(job: SliceJob): Promise<{ reply: SliceReply; transfer: ArrayBuffer[] }> {
  const inputs = transferables(job.op === 'seal' ? [job.plain] : job.shards)
  // The inputs go back for reuse, and `out` too when the result did not go into it.
  const spare = (result?: Uint8Array): ArrayBuffer[] =>
    job.out === undefined || job.out === result?.buffer ? inputs : [...inputs, job.out]
  try {
    if (job.op === 'seal') {
      const sealed = await sealSlice(job.plain, job.params, job.out)
      const back = spare(sealed.shards[0])
      return {
        reply: { id: job.id, ok: true, sealed, spare: back },
        transfer: [...transferables(sealed.shards), ...back]
      }
    }
    if (job.op === 'rebuild') {
      // The inputs stay with the result's shards only where reconstruct wrote new ones; the
      // shards given come back as spare for reuse.
      const rebuilt = rebuildSlice(job.shards, job.params)
      const back = spare()
      const outgoing = transferables(rebuilt.shards.map((s) => s.bytes)).filter((b) => !back.includes(b))
      return { reply: { id: job.id, ok: true, rebuilt, spare: back }, transfer: [...outgoing, ...back] }
    }
    const opened = await openSlice(job.shards, job.params, job.out)
    const back = spare(opened.plain)
    return {
      reply: { id: job.id, ok: true, opened, spare: back },
      transfer: [...transferables([opened.plain]), ...back]
    }
  } catch (e) {
    return { reply: { id: job.id, ok: false, error: toWire(e), spare: spare() }, transfer: spare() }
  }
}
