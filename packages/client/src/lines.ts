// The two streamed answers of the API, read from a fetch body on any runtime: NDJSON (an upload's
// or maintenance's progress, then its result) and server-sent events (GET /v1/events). Both keep
// at most one unfinished line in memory, and refuse a line over `maxLineBytes`.

const maxLineBytes = 1024 * 1024

/** The lines of a UTF-8 stream, without their line breaks (CRLF or LF). */
export async function* textLines(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder()
  const reader = body.getReader()
  let buffered = ''
  try {
    for (;;) {
      const { done, value } = await reader.read()
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true })
      let newline = buffered.indexOf('\n')
      while (newline >= 0) {
        yield buffered.slice(0, newline).replace(/\r$/, '')
        buffered = buffered.slice(newline + 1)
        newline = buffered.indexOf('\n')
      }
      if (buffered.length > maxLineBytes)
        throw new RangeError(`a line of the answer is over ${maxLineBytes} bytes`)
      if (done) break
    }
    if (buffered.length > 0) yield buffered
  } finally {
    reader.releaseLock()
    await body.cancel().catch(() => {})
  }
}

/** One NDJSON value per non-empty line. */
export async function* ndjson<T>(body: ReadableStream<Uint8Array>): AsyncIterable<T> {
  for await (const line of textLines(body)) if (line.trim().length > 0) yield JSON.parse(line) as T
}

export interface ServerSentEvent {
  /** The `event:` field; `message` when none was given. */
  event: string
  data: string
  id?: string
}

/** Server-sent events as the HTML standard parses them (fields event, data, id; comments skipped). */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncIterable<ServerSentEvent> {
  let event = ''
  let data: string[] = []
  let id: string | undefined
  for await (const line of textLines(body)) {
    if (line === '') {
      if (data.length > 0)
        yield { event: event || 'message', data: data.join('\n'), ...(id === undefined ? {} : { id }) }
      event = ''
      data = []
      continue
    }
    if (line.startsWith(':')) continue
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
    else if (field === 'id') id = value
  }
}
