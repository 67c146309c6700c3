// Who may drive the API from a browser. The token keeps other local users and processes out; a
// web page the operator has open is another matter: a page of another site can make the browser
// send requests to 127.0.0.1 (CSRF), and a site whose name is made to resolve to 127.0.0.1 (DNS
// rebinding) would read the answers as its own. So a request must name this API as its Host (a
// loopback address or `localhost`, on the port it came in on), and a browser's Origin, when it
// sends one, must be this API itself. Clients that are not browsers send no Origin.
import type { IncomingMessage } from 'node:http'

/** The names the API may listen on and be called by: loopback only. */
export const loopbackHosts: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost'])

/** Why the request is refused, or undefined when it may go on. */
export function refusedOrigin(req: IncomingMessage): { name: string; message: string } | undefined {
  const port = req.socket.localPort
  const host = req.headers.host ?? ''
  if (!isThisApi(`http://${host}`, port)) {
    return {
      name: 'ForbiddenHostError',
      message: `the API answers only requests to 127.0.0.1, [::1] or localhost on port ${port}, not ${JSON.stringify(host)}`
    }
  }
  const origin = req.headers.origin
  if (origin !== undefined && !isThisApi(origin, port)) {
    return {
      name: 'CrossOriginError',
      message: `requests from ${JSON.stringify(origin)} are refused: only the API's own pages may call it`
    }
  }
  return undefined
}

function isThisApi(origin: string, port: number | undefined): boolean {
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  const urlPort = url.port === '' ? 80 : Number(url.port)
  return (
    url.protocol === 'http:' &&
    url.username === '' &&
    url.pathname === '/' &&
    loopbackHosts.has(url.hostname.replace(/^\[(.*)\]$/, '$1')) &&
    urlPort === port
  )
}
