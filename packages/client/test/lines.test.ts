// The client's stream readers on any chunking: server-sent events as the HTML standard parses them,
// NDJSON, and the cap on one line (a daemon, or something posing as one, cannot make it buffer
// without end).
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ndjson, serverSentEvents, textLines } from '../src/lines.ts'

/** A stream of `text` cut into pieces of `size` bytes (through multi-byte characters too). */
function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let at = 0
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) controller.close()
      else {
        controller.enqueue(bytes.slice(at, at + size))
        at += size
      }
    }
  })
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of items) out.push(item)
  return out
}

describe('serverSentEvents', () => {
  const stream =
    ': keep-alive\n\nid: 1\nevent: task\ndata: {"id":"a"}\n\nevent: status\r\ndata: line one\r\ndata: line two\r\n\r\ndata:no space\n\nevent: ignored-without-data\n\nid: 9\nevent: peer:connect\ndata: {"peerId":"é"}\n\n'
  const expected = [
    { event: 'task', data: '{"id":"a"}', id: '1' },
    { event: 'status', data: 'line one\nline two', id: '1' },
    { event: 'message', data: 'no space', id: '1' },
    { event: 'peer:connect', data: '{"peerId":"é"}', id: '9' }
  ]

  for (const size of [1, 2, 3, 7, 64, 4096]) {
    it(`parses events, comments, CRLF and multi-line data in chunks of ${size}`, async () => {
      assert.deepEqual(await all(serverSentEvents(chunked(stream, size))), expected)
    })
  }
})

describe('ndjson and textLines', () => {
  it('gives one value per line, skipping blank lines, a last line without its newline included', async () => {
    const values = await all(ndjson(chunked('{"progress":1}\n\n{"progress":2}\r\n{"result":"ü"}', 3)))
    assert.deepEqual(values, [{ progress: 1 }, { progress: 2 }, { result: 'ü' }])
  })

  it('refuses a line over 1 MiB instead of buffering it', async () => {
    await assert.rejects(all(textLines(chunked('x'.repeat(1024 * 1024 + 10), 65_536))), {
      name: 'RangeError',
      message: /over 1048576 bytes/
    })
  })
})
