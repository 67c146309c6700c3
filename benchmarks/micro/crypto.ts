// @defs/crypto beside the raw peers it wraps, in one run: AES-256-GCM (node:crypto, WebCrypto,
// @noble/ciphers), SHA-256 (native, hash-wasm, noble), BLAKE3 (hash-wasm, noble), CRC32C (own
// slicing-by-16, hash-wasm; zlib's CRC32 as the native ceiling of a table CRC), and signatures.
// Every case checks its output against the others before it is timed.
// `npm run bench -- crypto [--json] [--quick]`
import assert from 'node:assert/strict'
import { createCipheriv, createDecipheriv, createHash, randomBytes, webcrypto } from 'node:crypto'
import { crc32 as zlibCrc32 } from 'node:zlib'
import {
  type Aead,
  blake3,
  crc32c,
  createAead,
  generateSigningKey,
  importSigningKey,
  type SignatureBackend,
  sha256,
  sha256Sync,
  signatureBackends,
  verifySignature
} from '@defs/crypto'
import { gcm } from '@noble/ciphers/aes.js'
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js'
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js'
import { createBLAKE3, createCRC32, createSHA256 } from 'hash-wasm'
import { measure } from '../lib/measure.ts'
import { Report } from '../lib/report.ts'

const KiB = 1024
const MiB = 1024 * KiB
type Case = { lib: string; op: string; fn: () => unknown; output: () => Promise<Uint8Array> | Uint8Array }

const hex = (b: Uint8Array | ArrayBuffer): string => Buffer.from(b as Uint8Array).toString('hex')

/** node:crypto as an application would call it: ciphertext and tag come back as two buffers. */
function nodeSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array): [Buffer, Buffer] {
  const cipher = createCipheriv('aes-256-gcm', key, nonce)
  const ciphertext = cipher.update(plaintext)
  cipher.final()
  return [ciphertext, cipher.getAuthTag()]
}

function aeadCases(aeads: Aead[], size: number): { seal: Case[]; open: Case[] } {
  const key = new Uint8Array(randomBytes(32))
  const nonce = new Uint8Array(randomBytes(12))
  const plaintext = new Uint8Array(randomBytes(size))
  const out = new Uint8Array(size + 16)
  const sealed = Buffer.concat(nodeSeal(key, nonce, plaintext))
  const backend = (a: Aead): string => `@defs/crypto (${a.backend})`
  const seal: Case[] = [
    {
      lib: 'node:crypto raw (ct, tag apart)',
      op: 'encrypt',
      fn: () => nodeSeal(key, nonce, plaintext),
      output: () => Buffer.concat(nodeSeal(key, nonce, plaintext))
    },
    {
      lib: 'node:crypto raw ct||tag (Buffer.concat)',
      op: 'encrypt',
      fn: () => Buffer.concat(nodeSeal(key, nonce, plaintext)),
      output: () => Buffer.concat(nodeSeal(key, nonce, plaintext))
    },
    {
      lib: 'node:crypto raw + copy into out',
      op: 'encrypt',
      fn: () => {
        const [c, t] = nodeSeal(key, nonce, plaintext)
        out.set(c)
        out.set(t, size)
      },
      output: () => {
        const [c, t] = nodeSeal(key, nonce, plaintext)
        out.set(c)
        out.set(t, size)
        return out.slice()
      }
    },
    ...aeads.map((a) => ({
      lib: backend(a),
      op: 'encrypt',
      fn: () => a.encrypt(key, nonce, plaintext),
      output: () => a.encrypt(key, nonce, plaintext)
    })),
    ...aeads
      .filter((a) => a.backend === 'node')
      .map((a) => ({
        lib: `${backend(a)} into out`,
        op: 'encrypt',
        fn: () => a.encrypt(key, nonce, plaintext, undefined, out),
        output: async () => (await a.encrypt(key, nonce, plaintext, undefined, out)).slice()
      })),
    {
      lib: 'WebCrypto raw (key imported once)',
      op: 'encrypt',
      fn: async () => webcrypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, await webKey, plaintext),
      output: async () =>
        new Uint8Array(
          await webcrypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce }, await webKey, plaintext)
        )
    },
    {
      lib: '@noble/ciphers raw',
      op: 'encrypt',
      fn: () => gcm(key, nonce).encrypt(plaintext),
      output: () => gcm(key, nonce).encrypt(plaintext)
    }
  ]
  const webKey = webcrypto.subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt'])
  const open: Case[] = [
    {
      lib: 'node:crypto raw',
      op: 'decrypt',
      fn: () => nodeOpen(key, nonce, sealed),
      output: () => nodeOpen(key, nonce, sealed)
    },
    ...aeads.map((a) => ({
      lib: backend(a),
      op: 'decrypt',
      fn: () => a.decrypt(key, nonce, sealed),
      output: () => a.decrypt(key, nonce, sealed)
    }))
  ]
  return { seal, open }
}

function nodeOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce)
  decipher.setAuthTag(sealed.subarray(sealed.length - 16))
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - 16))
  decipher.final()
  return plaintext
}

async function hashCases(size: number): Promise<Case[]> {
  const data = new Uint8Array(randomBytes(size))
  const wasmSha = await createSHA256()
  const wasmBlake = await createBLAKE3()
  const wasmCrc = await createCRC32(0x82f63b78)
  const wasm = (h: typeof wasmSha) => (): Uint8Array => {
    h.init()
    h.update(data)
    return h.digest('binary')
  }
  const crcBytes = (n: number): Uint8Array =>
    Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255)
  const both = (op: string, lib: string, fn: () => Uint8Array | Promise<Uint8Array>): Case => ({
    lib,
    op,
    fn,
    output: fn
  })
  return [
    both('sha256', '@defs/crypto sha256', () => sha256(data)),
    both('sha256', '@defs/crypto sha256Sync', () => sha256Sync(data)),
    both('sha256', 'node:crypto raw', () => createHash('sha256').update(data).digest()),
    both('sha256', 'WebCrypto', async () => new Uint8Array(await webcrypto.subtle.digest('SHA-256', data))),
    both('sha256', 'hash-wasm', wasm(wasmSha)),
    both('sha256', '@noble/hashes', () => nobleSha256(data)),
    both('blake3', '@defs/crypto blake3', () => blake3(data)),
    both('blake3', 'hash-wasm raw', wasm(wasmBlake)),
    both('blake3', '@noble/hashes', () => nobleBlake3(data)),
    both('crc32c', '@defs/crypto crc32c', () => crcBytes(crc32c(data))),
    both('crc32c', 'hash-wasm', wasm(wasmCrc)),
    // zlib has CRC32 (another polynomial), not CRC32C: a ceiling, not a peer; its output is not compared.
    {
      lib: 'node:zlib crc32 (CRC32, ceiling)',
      op: 'crc32',
      fn: () => zlibCrc32(data),
      output: () => new Uint8Array(0)
    }
  ]
}

/**
 * Check that every case of one op gives the same bytes, then time them round-robin: one sample of
 * each case per round, median over the rounds, so a burst of load from other work on the machine
 * falls on every peer alike instead of on whichever ran at that moment.
 */
async function timeCases(
  report: Report,
  cases: Case[],
  size: number,
  rounds: number,
  vs?: string
): Promise<void> {
  for (const group of Map.groupBy(cases, (c) => c.op).values()) {
    const outputs = await Promise.all(group.map(async (c) => hex(await c.output())))
    group.forEach((c, i) => {
      if (outputs[i] !== '')
        assert.equal(outputs[i], outputs[0], `${c.lib} ${c.op} disagrees with ${group[0]!.lib}`)
    })
  }
  const gbps = cases.map(() => [] as number[])
  for (let round = 0; round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      gbps[i]!.push((await measure(c.fn, { bytes: size, samples: 1, warmup: round === 0 ? 3 : 1 })).gbps)
    }
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const medians = gbps.map(median)
  const baseline = medians[cases.findIndex((c) => c.lib === vs)]
  for (const [i, c] of cases.entries()) {
    const ratio = baseline === undefined ? {} : { vs: `${(medians[i]! / baseline).toFixed(2)}x` }
    report.add({ lib: c.lib, op: c.op, size, gbps: Number(medians[i]!.toFixed(3)), ...ratio })
  }
}

async function signatureRows(report: Report, quick: boolean): Promise<void> {
  const message = new Uint8Array(randomBytes(200))
  for (const algorithm of ['ed25519', 'p256', 'secp256k1'] as const) {
    const reference = await generateSigningKey(algorithm)
    for (const backend of (await signatureBackends(algorithm)) as SignatureBackend[]) {
      const key = await importSigningKey(algorithm, reference.exportPrivate(), { backend })
      const signature = await key.sign(message)
      assert.equal(await verifySignature(reference.publicKey, message, signature, { backend }), true)
      const timing = { bytes: message.length, ...(quick && { samples: 3, minSampleMs: 60 }) }
      const sign = await measure(() => key.sign(message), timing)
      const verify = await measure(
        () => verifySignature(reference.publicKey, message, signature, { backend }),
        timing
      )
      const lib = `@defs/crypto (${backend})`
      report.add({
        lib,
        op: `${algorithm} sign`,
        size: message.length,
        'us/op': Number((sign.seconds * 1e6).toFixed(1))
      })
      report.add({
        lib,
        op: `${algorithm} verify`,
        size: message.length,
        'us/op': Number((verify.seconds * 1e6).toFixed(1))
      })
    }
  }
}

export async function run(options: { json: boolean; args: string[] }): Promise<void> {
  const quick = options.args.includes('--quick')
  const report = new Report('crypto', options.json)
  const rounds = quick ? 3 : 9
  report.note(
    `medians of ${rounds} round-robin samples; other work shares the 2 cores, so figures are taken under load`
  )
  const aeads = await Promise.all(
    (['node', 'webcrypto', 'noble'] as const).map((backend) => createAead({ backend }))
  )
  for (const size of [64 * KiB, MiB]) {
    const { seal, open } = aeadCases(aeads, size)
    await timeCases(report, seal, size, rounds, 'node:crypto raw (ct, tag apart)')
    await timeCases(report, open, size, rounds, 'node:crypto raw')
  }
  for (const size of [64 * KiB, MiB]) await timeCases(report, await hashCases(size), size, rounds)
  report.printTable(['lib', 'op', 'size', 'gbps', 'vs'])
  const signatures = new Report('crypto', options.json)
  await signatureRows(signatures, quick)
  if (!options.json) console.log('')
  signatures.printTable(['lib', 'op', 'size', 'us/op'])
}
