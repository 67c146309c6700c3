// node:fs for a browser bundle: readFileSync of a file next to the test, fetched from the runner's
// server with a synchronous request (the page is served from the package's own directory, so a
// `new URL('./vectors/x.txt', import.meta.url)` names the same file as under Node).
export function readFileSync(path: URL | string, encoding?: string): string | Uint8Array {
  const request = new XMLHttpRequest()
  request.open('GET', String(path), false)
  if (encoding === undefined) request.overrideMimeType('text/plain; charset=x-user-defined')
  request.send()
  if (request.status !== 200) throw new Error(`readFileSync ${path}: HTTP ${request.status}`)
  if (encoding !== undefined) return request.responseText
  const text = request.responseText
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff
  return bytes
}
