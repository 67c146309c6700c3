// Files this node knows: download by click (the daemon sends it as an attachment), share by
// copying its capability, health on demand (live shards of the weakest slice against k), and a
// repair this node has queued or is running for the file (its task is in the tasks panel).
import type { FileHealth, FileInfo } from '@defs/client'
import { useState } from 'preact/hooks'
import { FileActions, SharedCapability, useShare } from './file-actions.tsx'
import { bytes } from './format.ts'
import { client } from './live-node.ts'

export function FilesPanel(props: { files: FileInfo[] }) {
  const [health, setHealth] = useState<Record<string, FileHealth | string>>({})
  const { shared, error, share } = useShare((fileId) => client.capability(fileId))
  const check = async (fileId: string) => {
    const h = await client.health(fileId).catch((err: Error) => err.message)
    setHealth((was) => ({ ...was, [fileId]: h }))
  }
  const files = [...props.files].sort((a, b) => b.created - a.created)
  return (
    <section id="files" class="card">
      <h2>Files</h2>
      <SharedCapability shared={shared} error={error} />
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>Code</th>
            <th>Health</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {files.map((f) => {
            const h = health[f.fileId]
            return (
              <tr key={f.fileId} data-file={f.fileId}>
                <td title={f.fileId}>{f.name || f.fileId}</td>
                <td>{bytes(f.size)}</td>
                <td>
                  {f.dataShards}+{f.parityShards}
                </td>
                <td class="health">
                  {h === undefined ? (
                    <button type="button" data-action="check" onClick={() => check(f.fileId)}>
                      check
                    </button>
                  ) : typeof h === 'string' ? (
                    <span class="error">{h}</span>
                  ) : (
                    <span
                      class={
                        h.minLive >= f.dataShards + f.parityShards ? 'ok' : h.readable ? 'degraded' : 'error'
                      }
                    >
                      {h.minLive} of {f.dataShards + f.parityShards} live (k {f.dataShards})
                    </span>
                  )}
                  {f.repair !== undefined && (
                    <span class="repair" data-repair={f.repair.task} title={`task ${f.repair.task}`}>
                      {' '}
                      repair {f.repair.state}
                    </span>
                  )}
                </td>
                <td>{f.readable && <FileActions fileId={f.fileId} onShare={share} />}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </section>
  )
}
