// Upload by drag and drop (or by picking files): the node's file for the operator, a file of
// their tree (owned by their key, under its name) for a user signed in. XMLHttpRequest rather than the client's fetch:
// it is what reports upload progress in a browser (fetch streams a request body only over HTTP/2).
import type { PutResult } from '@defs/client'
import { useState } from 'preact/hooks'
import { bytes, percent } from './format.ts'

interface Upload {
  id: number
  name: string
  size: number
  sent: number
  state: 'sending' | 'done' | 'failed'
  result?: PutResult
  error?: string
}

function send(file: File, onSent: (n: number) => void): Promise<PutResult> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/v1/files?name=${encodeURIComponent(file.name)}`)
    xhr.setRequestHeader('content-type', 'application/octet-stream')
    xhr.upload.onprogress = (e) => onSent(e.loaded)
    xhr.onload = () => {
      const body = JSON.parse(xhr.responseText || '{}') as PutResult & { error?: { message: string } }
      if (xhr.status === 201) resolve(body)
      else reject(new Error(body.error?.message ?? `the daemon answered ${xhr.status}`))
    }
    xhr.onerror = () => reject(new Error('the connection to the daemon broke'))
    xhr.send(file)
  })
}

let uploadCount = 0

export function UploadPanel(props: { onUploaded?: (result: PutResult) => void }) {
  const [uploads, setUploads] = useState<Upload[]>([])
  const [over, setOver] = useState(false)
  const update = (id: number, change: Partial<Upload>) =>
    setUploads((all) => all.map((u) => (u.id === id ? { ...u, ...change } : u)))
  const start = (files: FileList | null) => {
    if (files === null) return
    for (const file of Array.from(files)) {
      const id = ++uploadCount
      setUploads((all) => [...all, { id, name: file.name, size: file.size, sent: 0, state: 'sending' }])
      send(file, (sent) => update(id, { sent })).then(
        (result) => {
          update(id, { state: 'done', sent: file.size, result })
          props.onUploaded?.(result)
        },
        (err: Error) => update(id, { state: 'failed', error: err.message })
      )
    }
  }
  return (
    <section id="upload" class="card">
      <h2>Upload</h2>
      <label
        id="drop"
        class={over ? 'drop over' : 'drop'}
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault()
          setOver(false)
          start(e.dataTransfer?.files ?? null)
        }}
      >
        Drop files here, or click to pick them
        <input
          id="pick"
          type="file"
          multiple
          hidden
          onChange={(e) => start((e.target as HTMLInputElement).files)}
        />
      </label>
      <ul class="uploads">
        {uploads.map((u) => (
          <li key={u.id} class="upload" data-state={u.state} data-file={u.result?.fileId}>
            {u.name}: <progress max={100} value={percent(u.sent, u.size)} /> {bytes(u.sent)} of{' '}
            {bytes(u.size)} {u.state === 'done' && <code class="file-id">{u.result?.fileId}</code>}
            {u.error !== undefined && <span class="error">{u.error}</span>}
          </li>
        ))}
      </ul>
    </section>
  )
}
