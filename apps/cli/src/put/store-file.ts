// One file to the daemon. A local regular file on a daemon of this machine is read by the daemon
// itself (POST /v1/uploads), so a pause leaves a task that resumes; stdin, or a file the daemon
// cannot read (another user, another machine), is streamed, and such a task cannot resume: a
// pause of it is refused by `defs tasks pause`, and if it is paused anyway its task is cancelled
// here, with a message saying so.
import { createReadStream } from 'node:fs'
import type { PutResult } from '@defs/node'
import type { ApiClient } from '../client.ts'
import { note } from '../output.ts'
import { ProgressBar } from '../progress-bar.ts'
import { ApiError, UserError } from '../user-error.ts'

export interface FileToStore {
  /** Absolute path, or undefined for stdin. */
  path?: string
  name: string
  size?: number
}

const loopback = new Set(['127.0.0.1', '[::1]', 'localhost'])

export function daemonIsLocal(client: ApiClient): boolean {
  return loopback.has(new URL(client.url).hostname)
}

export async function storeFile(
  client: ApiClient,
  file: FileToStore,
  query: Record<string, string | number | undefined>,
  progress: boolean
): Promise<PutResult> {
  const bar = new ProgressBar(`put ${file.name}`, file.size, progress ? process.stderr : undefined)
  const onProgress = (p: { bytesDone: number }) => bar.update(p.bytesDone)
  try {
    if (file.path !== undefined && daemonIsLocal(client)) {
      try {
        return await client.uploadPath(file.path, { query, onProgress })
      } catch (err) {
        if (!(err instanceof ApiError) || !['LocalFileError', 'RouteNotFoundError'].includes(err.name))
          throw err
        note(`defs: the daemon cannot read ${file.path} itself (${err.message}); streaming it`)
      }
    }
    const source =
      file.path === undefined ? process.stdin : createReadStream(file.path, { highWaterMark: 1 << 20 })
    try {
      return await client.upload(source, { size: file.size, query, onProgress })
    } catch (err) {
      if (!(err instanceof ApiError) || err.name !== 'TaskPausedError') throw err
      const task = /task (\S+) is paused/.exec(err.message)?.[1]
      if (task !== undefined) await client.taskAction(task, 'cancel').catch(() => {})
      throw new UserError(
        `the upload of ${file.name} was paused, and a streamed upload cannot resume (its bytes are gone), so it was cancelled; run defs put again`
      )
    }
  } finally {
    bar.finish()
  }
}
