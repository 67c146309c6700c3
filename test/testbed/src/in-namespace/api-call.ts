// Run inside a host's namespace (`ip netns exec NS node api-call.ts DIR REQUESTS`): the daemon's
// API listens on 127.0.0.1 of that namespace, which the test process outside cannot reach. Sends
// each request of the JSON list REQUESTS ([{ method, path, body? }]) with the node's token, one
// after the other, and prints one JSON list of { status, body } on stdout. No imports beyond
// node: so it starts in a fraction of the CLI's time.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

interface ApiRequest {
  method: string
  path: string
  body?: unknown
}

const [dir, list] = process.argv.slice(2) as [string, string]
const config = JSON.parse(readFileSync(join(dir, 'daemon.json'), 'utf8')) as { api: { port: number } }
const token = readFileSync(join(dir, 'api-token'), 'utf8').trim()
const results: { status: number; body: unknown }[] = []
for (const r of JSON.parse(list) as ApiRequest[]) {
  try {
    const res = await fetch(`http://127.0.0.1:${config.api.port}${r.path}`, {
      method: r.method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
      signal: AbortSignal.timeout(30_000)
    })
    const text = await res.text()
    let body: unknown = text
    try {
      body = JSON.parse(text)
    } catch {}
    results.push({ status: res.status, body })
  } catch (err) {
    results.push({ status: 0, body: { error: (err as Error).message } })
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`)
