// The query string of `POST /v1/files`: how to store the upload. Checked here so a typo answers
// 400 naming the parameter before a byte of the body is read.
import type { PutOptions } from '@defs/node'
import { storageModeChoices as modes, type StorageModeChoice } from '@defs/segment'
import { badRequest } from './http-errors.ts'

export interface UploadRequest {
  options: Omit<PutOptions, 'onProgress'>
  /** Stream NDJSON progress lines, then the result, instead of one JSON answer at the end. */
  progress: boolean
}

const known = new Set(['mode', 'k', 'm', 'name', 'size', 'priority', 'progress'])

export function parseUploadQuery(query: URLSearchParams, contentLength: string | undefined): UploadRequest {
  for (const key of query.keys()) {
    if (!known.has(key))
      throw badRequest(`unknown query parameter ${JSON.stringify(key)}; known: ${[...known].join(', ')}`)
  }
  const options: UploadRequest['options'] = {}
  const mode = query.get('mode')
  if (mode !== null) {
    if (!(modes as readonly string[]).includes(mode)) {
      throw badRequest(`query mode must be one of ${modes.join(', ')}, got ${JSON.stringify(mode)}`)
    }
    options.mode = mode as StorageModeChoice
  }
  const k = integerParam(query, 'k', 1, 100)
  if (k !== undefined) options.dataShards = k
  const m = integerParam(query, 'm', 1, 100)
  if (m !== undefined) options.parityShards = m
  const name = query.get('name')
  if (name !== null) {
    if (name.length === 0 || name.length > 1024) throw badRequest('query name must be 1..1024 characters')
    options.name = name
  }
  const size = integerParam(query, 'size', 0, Number.MAX_SAFE_INTEGER) ?? headerSize(contentLength)
  if (size !== undefined) options.size = size
  const priority = integerParam(query, 'priority', -1000, 1000)
  if (priority !== undefined) options.priority = priority
  const progress = query.get('progress')
  if (progress !== null && progress !== 'ndjson') {
    throw badRequest(`query progress must be "ndjson", got ${JSON.stringify(progress)}`)
  }
  return { options, progress: progress === 'ndjson' }
}

/** An integer query parameter in [min, max], or undefined when absent. */
export function integerParam(
  query: URLSearchParams,
  key: string,
  min: number,
  max: number
): number | undefined {
  const raw = query.get(key)
  if (raw === null) return undefined
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw badRequest(`query ${key} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`)
  }
  return value
}

function headerSize(contentLength: string | undefined): number | undefined {
  if (contentLength === undefined || !/^\d+$/.test(contentLength)) return undefined
  return Number(contentLength)
}
