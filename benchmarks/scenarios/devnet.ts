// `npm run bench -- devnet [--quick] [--size 256MiB,1GiB] [--no-helia] [--json]`
// DeFS on a 6-node devnet (separate daemon processes on 127.0.0.1): upload through one node's
// HTTP API (encrypt, erasure-code, place on the other nodes, acknowledged durable) and download
// back (fetch k shards per slice, verify, decode, decrypt), with time to first byte and the peak
// RSS of every daemon. Beside it, the same bytes through Helia: two nodes over TCP loopback,
// `add` on one, `cat` on the other (benchmarks/peers/helia-pair.ts, installed on first use).
// Every download is hashed and compared with the input before its time is reported.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDevnet } from '@defs/cli'
import { label, MiB, sizesFrom, writeRandomFile } from '../lib/files.ts'
import { ensureHelia, peersDir } from '../lib/helia.ts'
import { peakRss } from '../lib/proc.ts'
import { Report } from '../lib/report.ts'
import type { SuiteOptions } from '../run.ts'

export async function run({ json, args }: SuiteOptions): Promise<void> {
  const report = new Report('devnet', json)
  const sizes = sizesFrom(args, [256 * MiB, 1024 * MiB])
  const root = await mkdtemp(join(tmpdir(), 'defs-bench-devnet-'))
  // --no-helia: DeFS rows only (e.g. while profiling the daemons).
  const heliaReady = !args.includes('--no-helia') && ensureHelia(report)
  try {
    for (const size of sizes) {
      const file = join(root, `input-${size}`)
      const digest = await writeRandomFile(file, size)
      await runDefs(report, file, size, digest, join(root, `defs-${size}`))
      if (heliaReady) await runHelia(report, file, size)
    }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
  report.printTable(['lib', 'op', 'size', 'MBps', 'ttfbMs', 'peakRssMiB', 'note'])
  const defs = report.rows.filter((r) => r.lib === 'defs')
  for (const r of defs) {
    const peer = report.rows.find((h) => h.lib === 'helia' && h.op === r.op && h.size === r.size)
    if (peer !== undefined)
      report.note(`${r.op} ${r.size}: DeFS / Helia = ${(Number(r.MBps) / Number(peer.MBps)).toFixed(2)}x`)
    const stored = report.rows.find((h) => h.lib === 'helia' && h.op === 'add+fetch' && h.size === r.size)
    if (r.op === 'upload' && stored !== undefined) {
      const ratio = (Number(r.MBps) / Number(stored.MBps)).toFixed(2)
      report.note(`upload ${r.size}, bytes held by other nodes: DeFS / Helia add+fetch = ${ratio}x`)
    }
  }
}

async function runDefs(
  report: Report,
  file: string,
  size: number,
  digest: string,
  dir: string
): Promise<void> {
  const devnet = await startDevnet({ nodes: 6, dir })
  try {
    const entry = devnet.nodes[0]!
    const t0 = performance.now()
    const put = await upload(entry.api, entry.token, file, size)
    const uploadMs = performance.now() - t0
    const got = await download(entry.api, entry.token, put.fileId)
    if (got.digest !== digest || got.bytes !== size) {
      throw new Error(
        `DeFS read back ${got.bytes} bytes with sha256 ${got.digest}, expected ${size} bytes ${digest}`
      )
    }
    const rss = await peakRss(devnet.nodes.map((n) => n.pid))
    const code = `${put.mode} ${put.dataShards}+${put.parityShards}`
    report.add({
      lib: 'defs',
      op: 'upload',
      size: label(size),
      MBps: size / 1e6 / (uploadMs / 1000),
      ttfbMs: '',
      peakRssMiB: rss,
      note: code
    })
    report.add({
      lib: 'defs',
      op: 'download',
      size: label(size),
      MBps: size / 1e6 / (got.ms / 1000),
      ttfbMs: got.ttfbMs,
      peakRssMiB: rss,
      note: 'max over 6 daemons'
    })
  } finally {
    await devnet.stop()
  }
}

interface PutAnswer {
  fileId: string
  mode: string
  dataShards: number
  parityShards: number
}

function upload(api: string, token: string, file: string, size: number): Promise<PutAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${api}/v1/files?name=bench`,
      { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-length': size } },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (d) => {
          body += d
        })
        res.on('end', () =>
          res.statusCode === 200 || res.statusCode === 201
            ? resolve(JSON.parse(body))
            : reject(new Error(`upload: ${res.statusCode} ${body}`))
        )
      }
    )
    req.on('error', reject)
    createReadStream(file, { highWaterMark: MiB }).pipe(req)
  })
}

function download(
  api: string,
  token: string,
  fileId: string
): Promise<{ digest: string; bytes: number; ms: number; ttfbMs: number }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    const t0 = performance.now()
    let ttfbMs = -1
    let bytes = 0
    const req = request(
      `${api}/v1/files/${fileId}`,
      { headers: { authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`download: ${res.statusCode}`))
        res.on('data', (d: Buffer) => {
          if (ttfbMs < 0) ttfbMs = performance.now() - t0
          hash.update(d)
          bytes += d.length
        })
        res.on('end', () =>
          resolve({ digest: hash.digest('hex'), bytes, ms: performance.now() - t0, ttfbMs })
        )
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end()
  })
}

function runHelia(report: Report, file: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(peersDir, 'helia-pair.ts'), file], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    child.stdout.on('data', (d) => {
      out += d
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`helia-pair exited with ${code}`))
      const r = JSON.parse(out.trim().split('\n').pop()!) as {
        ok: boolean
        bytes: number
        uploadMs: number
        downloadMs: number
        ttfbMs: number
        rss: number
      }
      if (!r.ok || r.bytes !== size)
        return reject(new Error(`Helia read back ${r.bytes} bytes that differ from the input`))
      const rss = Math.round(r.rss / MiB)
      report.add({
        lib: 'helia',
        op: 'upload',
        size: label(size),
        MBps: size / 1e6 / (r.uploadMs / 1000),
        ttfbMs: '',
        peakRssMiB: rss,
        note: 'add (local)'
      })
      report.add({
        lib: 'helia',
        op: 'download',
        size: label(size),
        MBps: size / 1e6 / (r.downloadMs / 1000),
        ttfbMs: r.ttfbMs,
        peakRssMiB: rss,
        note: 'cat over TCP; one process, 2 nodes'
      })
      // What a DeFS upload gives (the bytes held by other nodes) costs Helia its add plus the fetch.
      report.add({
        lib: 'helia',
        op: 'add+fetch',
        size: label(size),
        MBps: size / 1e6 / ((r.uploadMs + r.downloadMs) / 1000),
        ttfbMs: '',
        peakRssMiB: rss,
        note: 'add, then cat on the 2nd node'
      })
      resolve()
    })
  })
}
