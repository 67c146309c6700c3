// Small helpers every route uses to answer in JSON and to read a bounded JSON body.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { badRequest, errorBody, errorStatus, HttpError } from './http-errors.ts'

export function sendJson(
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {}
): void {
  const body = `${JSON.stringify(value)}\n`
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers
  })
  res.end(body)
}

export function sendError(res: ServerResponse, err: unknown): void {
  const headers = err instanceof HttpError ? { ...err.headers } : {}
  // Refusals that pass (maintenance, a node stopping) say when to come back.
  const retryAfter = (err as { retryAfter?: unknown })?.retryAfter
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter))
    headers['retry-after'] = String(retryAfter)
  sendJson(res, errorStatus(err), errorBody(err), headers)
}

const maxJsonBody = 64 * 1024

/** Reads a small JSON request body; an empty body is `{}`. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > maxJsonBody)
      throw new HttpError(413, 'PayloadTooLargeError', `JSON body over ${maxJsonBody} bytes`)
    chunks.push(chunk)
  }
  if (size === 0) return {}
  let value: unknown
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (err) {
    throw badRequest(`body is not valid JSON: ${(err as Error).message}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest('body must be a JSON object')
  return value as Record<string, unknown>
}
