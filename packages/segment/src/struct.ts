// Records: CBOR maps with small integer keys. Key 0 is the version (top-level types only), key 1
// the kind of a message with variants, then the fields in key order. Canonical CBOR sorts the
// keys numerically and the reader requires that order, which also rules out repeated keys.
import {
  EncodeError,
  InvalidValueError,
  MissingFieldError,
  UnknownFieldError,
  UnknownVersionError
} from './errors.ts'
import type { CborReader } from './reader.ts'
import { oneOf, type Schema, show } from './schema.ts'

export interface Field {
  key: number
  name: string
  /** A function picks the schema from the fields before it (keys arrive in order). */
  schema: Schema<unknown> | ((before: Record<string, unknown>) => Schema<unknown>)
  optional?: boolean
}

export interface StructOptions<T> {
  /** Top-level types: the version written under key 0; any other version is refused. */
  version?: number
  /** Expose the version as this property of the value (the node config's `schemaVersion`). */
  versionAs?: string
  /** Rules across fields; returns what is wrong, or undefined. */
  check?: (value: T) => string | undefined
}

export function struct<T>(fields: Field[], options: StructOptions<T> = {}): Schema<T> {
  const table = fieldTable(fields)
  const header = options.version === undefined ? 0 : 1
  return {
    read(r, path) {
      const entries = r.mapHead(path, header + fields.length)
      const out: Record<string, unknown> = {}
      const { version, versionAs } = options
      if (version !== undefined) readVersion(r, path, entries, version, versionAs, out)
      readFields(r, path, entries - header, table, out)
      return checked(out as T, path, options.check, InvalidValueError)
    },
    write(value, path) {
      const out = new Map<number, unknown>()
      if (options.version !== undefined) writeVersion(value, path, options.version, options.versionAs, out)
      writeFields(value, path, table, out, options.versionAs)
      checked(value, path, options.check, EncodeError)
      return out
    }
  }
}

/** A message whose fields depend on its kind (key 1): `{ kind: 'get', id }`, `{ kind: 'has', ids }`... */
export function variants<T extends { kind: string }>(
  kinds: Record<T['kind'], Field[]>,
  options: { version: number }
): Schema<T> {
  const tables = new Map<string, FieldTable>(
    Object.entries<Field[]>(kinds).map(([k, f]) => [k, fieldTable(f)])
  )
  const kind = oneOf([...tables.keys()])
  const widest = Math.max(...[...tables.values()].map((t) => t.fields.length))
  return {
    read(r, path) {
      const entries = r.mapHead(path, 2 + widest)
      const out: Record<string, unknown> = {}
      readVersion(r, path, entries, options.version, undefined, out)
      if (entries < 2 || r.key(path) !== 1) throw new MissingFieldError(`${path}.kind is missing`)
      out.kind = kind.read(r, `${path}.kind`)
      readFields(r, path, entries - 2, tables.get(out.kind as string)!, out)
      return out as T
    },
    write(value, path) {
      const out = new Map<number, unknown>()
      writeVersion(value, path, options.version, undefined, out)
      out.set(1, kind.write(value.kind, `${path}.kind`))
      writeFields(value, path, tables.get(value.kind)!, out, 'kind')
      return out
    }
  }
}

interface FieldTable {
  fields: Field[]
  byKey: (number | undefined)[]
  names: Set<string>
}

function fieldTable(fields: Field[]): FieldTable {
  const byKey: (number | undefined)[] = []
  fields.forEach((f, i) => {
    if (!Number.isInteger(f.key) || f.key < 1 || f.key > 23 || (i > 0 && f.key <= fields[i - 1]!.key)) {
      throw new Error(`field keys must rise within 1..23, got ${f.key} for ${f.name}`)
    }
    byKey[f.key] = i
  })
  return { fields, byKey, names: new Set(fields.map((f) => f.name)) }
}

function schemaOf(field: Field, before: Record<string, unknown>): Schema<unknown> {
  return (typeof field.schema === 'function' ? field.schema(before) : field.schema) as Schema<unknown>
}

function readVersion(
  r: CborReader,
  path: string,
  entries: number,
  version: number,
  versionAs: string | undefined,
  out: Record<string, unknown>
): void {
  if (entries === 0 || r.key(path) !== 0) throw new MissingFieldError(`${path}.version is missing`)
  const got = r.uint(`${path}.version`, 0, Number.MAX_SAFE_INTEGER)
  if (got !== version) throw new UnknownVersionError(`${path}.version must be ${version}, got ${got}`)
  if (versionAs !== undefined) out[versionAs] = got
}

function readFields(
  r: CborReader,
  path: string,
  entries: number,
  table: FieldTable,
  out: Record<string, unknown>
): void {
  const { fields, byKey } = table
  let next = 0
  for (let i = 0; i < entries; i++) {
    const key = r.key(path)
    const index = byKey[key]
    if (index === undefined) throw new UnknownFieldError(`${path} has an unknown field key ${key}`)
    if (index < next) {
      throw new UnknownFieldError(
        `${path}.${fields[index]!.name} (key ${key}) repeats or breaks canonical key order`
      )
    }
    for (; next < index; next++) requireOptional(fields[next]!, path)
    const field = fields[index]!
    out[field.name] = schemaOf(field, out).read(r, `${path}.${field.name}`)
    next = index + 1
  }
  for (; next < fields.length; next++) requireOptional(fields[next]!, path)
}

function requireOptional(field: Field, path: string): void {
  if (field.optional !== true) throw new MissingFieldError(`${path}.${field.name} is missing`)
}

function writeVersion(
  value: unknown,
  path: string,
  version: number,
  versionAs: string | undefined,
  out: Map<number, unknown>
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EncodeError(`${path} must be an object, got ${show(value)}`)
  }
  if (versionAs !== undefined && (value as Record<string, unknown>)[versionAs] !== version) {
    throw new EncodeError(
      `${path}.${versionAs} must be ${version}, got ${show((value as Record<string, unknown>)[versionAs])}`
    )
  }
  out.set(0, version)
}

function writeFields(
  value: unknown,
  path: string,
  table: FieldTable,
  out: Map<number, unknown>,
  extra: string | undefined
): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new EncodeError(`${path} must be an object, got ${show(value)}`)
  }
  const record = value as Record<string, unknown>
  for (const field of table.fields) {
    const v = record[field.name]
    if (v === undefined) {
      if (field.optional !== true) throw new EncodeError(`${path}.${field.name} is missing`)
      continue
    }
    out.set(field.key, schemaOf(field, record).write(v, `${path}.${field.name}`))
  }
  for (const name in record) {
    if (!table.names.has(name) && name !== extra)
      throw new EncodeError(`${path}.${name} is not a field of this type`)
  }
}

function checked<T>(
  value: T,
  path: string,
  check: ((value: T) => string | undefined) | undefined,
  Failure: new (message: string) => Error
): T {
  const problem = check?.(value)
  if (problem !== undefined) throw new Failure(`${path}: ${problem}`)
  return value
}
