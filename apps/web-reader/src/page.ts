// The page: reads the file the form names and saves it (a download of a Blob), showing progress.
// The capability's key stays in this page: it is never sent, only used to decrypt.
import { type ReadResult, readFile } from './read-file.ts'

const form = document.querySelector<HTMLFormElement>('#read')!
const status = document.querySelector<HTMLElement>('#status')!
const input = (id: string): string => document.querySelector<HTMLInputElement>(`#${id}`)!.value

function save(result: ReadResult): void {
  const url = URL.createObjectURL(new Blob([result.bytes as Uint8Array<ArrayBuffer>]))
  const link = Object.assign(document.createElement('a'), { href: url, download: result.name })
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

form.addEventListener('submit', async (event) => {
  event.preventDefault()
  const button = form.querySelector('button')!
  button.disabled = true
  status.dataset.state = 'reading'
  const started = performance.now()
  try {
    const result = await readFile(input('capability'), input('address'), (p) => {
      status.textContent = `slice ${p.slicesDone} of ${p.slices}, ${(p.bytesDone / 2 ** 20).toFixed(1)} MiB, ${p.peers} nodes`
    })
    const seconds = (performance.now() - started) / 1000
    const mbps = result.bytes.length / 1e6 / seconds
    status.textContent = `${result.name}: ${result.bytes.length} bytes from ${result.holders} nodes in ${seconds.toFixed(2)} s (${mbps.toFixed(1)} MB/s; holders found in ${(result.findMs / 1000).toFixed(2)} s, then fetched, rebuilt and decrypted in ${(result.fetchMs / 1000).toFixed(2)} s), ${result.rebuilt} of ${result.slices} slices rebuilt from parity`
    Object.assign(status.dataset, {
      state: 'done',
      bytes: result.bytes.length,
      seconds,
      fetchSeconds: result.fetchMs / 1000,
      rebuilt: result.rebuilt
    })
    save(result)
  } catch (err) {
    status.textContent = `${(err as Error).name}: ${(err as Error).message}`
    status.dataset.state = 'failed'
  } finally {
    button.disabled = false
  }
})
