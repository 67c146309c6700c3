// defs demo (what `npm start` runs): a real network storing and recovering a file, in under a
// minute or two. A 9-node devnet in a temporary directory whose nodes form pairs that mirror each
// other (a short failover timeout, 5 s, so the demo is quick); a 64 MiB random file put through
// node 1; where its shards went; a whole pair and one node of another pair killed with SIGKILL;
// the file read back and its SHA-256 compared; timings and what had to be rebuilt from parity; the
// survivors' repair until every slice is back at full health, and by whom; the widowed node's new
// partner and how long it took; everything stopped and removed. --no-pairing: the erasure code
// alone (8 nodes, 2 killed, as before pairs existed).
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { integerFlag, parseByteSize, waitForStopSignal } from '@defs/daemon'
import type { PutResult } from '@defs/node'
import { storageModeChoices } from '@defs/segment'
import { defineCommand } from 'citty'
import { jsonArg, verboseArg } from '../cli-args.ts'
import {
  choosePairVictims,
  type PairVictims,
  pairsText,
  waitForNewPartners,
  waitForPairs,
  withoutPairs
} from '../demo/pairs.ts'
import { placementTable, shardLabels } from '../demo/placement-table.ts'
import { chooseVictims } from '../demo/victims.ts'
import { type Devnet, startDevnet } from '../devnet/devnet.ts'
import { formatBytes, formatDuration, formatRate, shortId } from '../format.ts'
import { printJson, printLine } from '../output.ts'
import { ProgressBar, pendingLine } from '../progress-bar.ts'
import { UserError } from '../user-error.ts'

export default defineCommand({
  meta: {
    name: 'demo',
    description:
      'Store a file on a 9-node local network of pairs, crash a pair and a node, read it back, watch it repaired and re-paired'
  },
  args: {
    // Four pairs and a spare: after a pair and one more node crash, three pairs hold a slice's
    // k + m = 6 shards (at most m = 2 on one), and the widowed node pairs with the spare.
    nodes: {
      type: 'string',
      description: 'how many nodes (default 9; 8 without pairing)',
      valueHint: 'N'
    },
    size: { type: 'string', default: '64MiB', description: 'size of the random file' },
    kill: {
      type: 'string',
      description:
        'how many nodes to SIGKILL (default 3: a whole pair, then one node of each other pair; 2 without pairing)',
      valueHint: 'N'
    },
    // no citty default, and no flag spelled in the descriptions: the help lists true flags only
    pairing: {
      type: 'boolean',
      description: 'nodes pair and mirror each other (the default; negated, the erasure code alone)'
    },
    mode: {
      type: 'enum',
      options: [...storageModeChoices],
      default: 'rs-proportion',
      description: 'storage mode'
    },
    'data-shards': {
      type: 'string',
      alias: 'k',
      default: '4',
      description: 'k: data shards per slice',
      valueHint: 'N'
    },
    'parity-shards': {
      type: 'string',
      alias: 'm',
      default: '2',
      description: 'm: parity shards per slice',
      valueHint: 'N'
    },
    keep: { type: 'boolean', description: 'keep the temporary directory (nodes, logs, files)' },
    ...jsonArg,
    ...verboseArg
  },
  async run({ args }) {
    const pairing = args.pairing !== false
    const nodeCount = integerFlag('nodes', args.nodes ?? (pairing ? '9' : '8'), 2, 32)
    const killCount = integerFlag('kill', args.kill ?? (pairing ? '3' : '2'), 0, nodeCount - 2)
    const size = parseByteSize(args.size, '--size')
    const started = performance.now()
    const say = args.json ? () => {} : printLine
    const interrupted = waitForStopSignal().then((why) => {
      throw new UserError(`demo interrupted (${why}); nodes stopped`)
    })
    interrupted.catch(() => {})
    const step = <T>(work: Promise<T>) => Promise.race([work, interrupted])

    const dir = await mkdtemp(join(tmpdir(), 'defs-demo-'))
    let devnet: Devnet | undefined
    try {
      say(
        `DeFS demo: ${nodeCount} nodes on 127.0.0.1${pairing ? ' in pairs (failover after 5 s, health checks every 10 s: short for the demo)' : ''}, ${formatBytes(size)} of random bytes, ${killCount} nodes crashed`
      )
      let t = performance.now()
      const erase = pendingLine(
        ` 1. network  starting ${nodeCount} daemons`,
        args.json ? undefined : process.stderr
      )
      try {
        devnet = await step(
          startDevnet({
            nodes: nodeCount,
            dir: join(dir, 'devnet'),
            pairing,
            // Short for the demo (and said so): a partner silent for 5 s (and unreachable for two
            // others) is failed over, 30 s by default; holders check their files every 10 s, 5 min
            // by default (a read reports a slice only to the holders that served it, and with
            // pairs the first in a file's election may hold only a partner's copy).
            ...(pairing
              ? {
                  node: { pairFailureTimeout: PAIR_FAILURE_TIMEOUT_MS, repairCheckInterval: REPAIR_CHECK_MS }
                }
              : {})
          })
        )
      } finally {
        erase()
      }
      const net = devnet
      const startMs = performance.now() - t
      say(
        ` 1. network  ${nodeCount} nodes up in ${formatDuration(startMs)}, each its own process and directory`
      )
      say(`    dashboard ${net.nodes[0]!.api}/ (node-1; sign in with token ${net.nodes[0]!.token})`)
      const wanted = Math.floor(nodeCount / 2)
      const pairs = pairing ? await step(waitForPairs(net, wanted, PAIRS_WAIT_MS)) : []
      if (pairing)
        say(
          `    pairs     ${pairs.length} of ${wanted} formed ${formatDuration(performance.now() - t - startMs)} after: ${pairsText(pairs, net.nodes)}`
        )

      t = performance.now()
      const file = join(dir, 'original.bin')
      const sha256 = await step(writeRandomFile(file, size))
      say(` 2. file     ${formatBytes(size)} of random bytes, sha256 ${shortId(sha256, 8)}`)

      const [uploader, ...others] = net.nodes
      const client = net.client(uploader!.name)
      const putBar = new ProgressBar(' 3. put     ', size, args.json ? undefined : process.stderr)
      t = performance.now()
      let result: PutResult
      try {
        result = await step(
          client.upload(createReadStream(file, { highWaterMark: 1 << 20 }), {
            size,
            query: { name: 'demo.bin', mode: args.mode, k: args['data-shards'], m: args['parity-shards'] },
            onProgress: (p) => putBar.update(p.bytesDone)
          })
        )
      } finally {
        putBar.finish()
      }
      const putMs = performance.now() - t
      const code = `${result.mode} ${result.dataShards}+${result.parityShards}`
      say(
        ` 3. put      via ${uploader!.name}: ${formatBytes(size)} in ${formatDuration(putMs)} (${formatRate((size * 1000) / putMs)}), ${code}, ${result.placement.length} slice(s)`
      )
      if (result.note) say(`             note: ${result.note}`)
      say('             where the shards went (d = data, p = parity):')
      say(indent(placementTable(result, net.nodes), 13))

      const peerOf = (name: string) => net.nodes.find((n) => n.name === name)!.peerId
      const choice: PairVictims = pairing
        ? choosePairVictims(
            result.placement,
            result.dataShards,
            result.parityShards,
            pairs,
            uploader!.name,
            killCount,
            peerOf
          )
        : withoutPairs(
            chooseVictims(
              result.placement,
              result.dataShards,
              result.parityShards,
              others.map((n) => n.name),
              killCount,
              peerOf
            )
          )
      await step(Promise.all(choice.victims.map((name) => net.kill(name, 'SIGKILL'))))
      const killedAt = performance.now()
      // Each node whose partner crashed pairs anew (a higher epoch) and copies it its shards,
      // while the read and the repair go on: watched from now.
      const failover = waitForNewPartners(net, choice.widowed, killedAt, REPAIR_WAIT_MS)
      failover.catch(() => {})
      const lostText = choice.losses
        .filter((l) => l.lost.length > 0)
        .slice(0, 6)
        .map((l) => `slice ${l.slice}: ${shardLabels(l.lost, result.dataShards)}`)
        .join('; ')
      const whom = pairing ? crashText(choice.victims, choice.widowed) : choice.victims.join(' and ')
      say(` 4. crash    SIGKILL ${whom || 'nobody'}; lost ${lostText || 'no shards'}`)
      if (!choice.recoverable)
        say('             (no choice of nodes leaves k shards of every slice: the read will fail)')

      const recovered = join(dir, 'recovered.bin')
      const rebuiltBefore = await step(client.metric('defs_slices_reconstructed_total'))
      const getBar = new ProgressBar(' 5. get     ', size, args.json ? undefined : process.stderr)
      t = performance.now()
      let gotSha: string
      try {
        gotSha = await step(download(client, result.fileId, recovered, (n) => getBar.update(n)))
      } finally {
        getBar.finish()
      }
      const getMs = performance.now() - t
      const match = gotSha === sha256
      // What the placement says had to be rebuilt, and what the node counted while it read.
      const rebuilt = choice.readLosses.filter((l) => l.lost.some((i) => i < result.dataShards))
      const rebuiltByNode = (await step(client.metric('defs_slices_reconstructed_total'))) - rebuiltBefore
      say(
        ` 5. get      via ${uploader!.name}: ${formatBytes(size)} in ${formatDuration(getMs)} (${formatRate((size * 1000) / getMs)}); sha256 ${match ? 'matches' : 'DIFFERS'}`
      )
      const which = rebuilt
        .slice(0, 4)
        .map(
          (l) =>
            `slice ${l.slice} without ${shardLabels(
              l.lost.filter((i) => i < result.dataShards),
              result.dataShards
            )}`
        )
        .join(', ')
      const predicted = rebuiltByNode === rebuilt.length ? '' : `; the placement predicted ${rebuilt.length}`
      say(
        rebuilt.length === 0 && rebuiltByNode === 0
          ? '             no data shard was lost: read straight from data shards'
          : `             rebuilt from parity: ${rebuiltByNode} of ${result.placement.length} slice(s), counted by ${uploader!.name}${predicted} (${which}${rebuilt.length > 4 ? ', ...' : ''})`
      )
      if (!match) throw new UserError(`the file read back differs: sha256 ${gotSha} != ${sha256}`)

      // The survivors' repair: the read that needed parity told the file's repairer, which
      // rebuilds every lost shard onto other nodes. Checked from a survivor that is not the owner.
      const survivors = others.filter((n) => !choice.victims.includes(n.name))
      const repairing = choice.losses.some((l) => l.lost.length > 0) && survivors.length > 0
      const health = repairing
        ? await step(fullHealth(net.client(survivors[0]!.name), result.capability, REPAIR_WAIT_MS))
        : undefined
      const repairMs = performance.now() - killedAt
      const byNode = repairing ? await step(repairedBy(net, [uploader!, ...survivors])) : []
      const repairers = byNode
        .filter((r) => r.slices > 0)
        .map((r) => `${r.name} ${r.slices} slice(s)`)
        .join(', ')
      say(
        !repairing
          ? ' 6. repair   nothing was lost'
          : health === 'full'
            ? ` 6. repair   every slice back at ${result.dataShards + result.parityShards} live shards ${formatDuration(repairMs)} after the crash, rebuilt by ${repairers || 'nobody'}`
            : ` 6. repair   not back at full health within ${formatDuration(REPAIR_WAIT_MS)} (${health}); rebuilt so far by ${repairers || 'nobody'}`
      )

      const repaired = await step(failover)
      for (const f of repaired)
        say(
          f.partner === undefined
            ? ` 7. pairs    ${f.survivor} (partner of ${f.lost}) found no new partner within ${formatDuration(REPAIR_WAIT_MS)}`
            : ` 7. pairs    ${f.survivor} (partner of ${f.lost}) paired with ${f.partner} ${formatDuration(f.ms!)} after the crash, epoch ${f.epoch}; it copies its shards to it`
        )

      t = performance.now()
      await net.stop()
      devnet = undefined
      if (!args.keep) await rm(dir, { recursive: true, force: true })
      say(
        ` ${choice.widowed.length > 0 ? 8 : 7}. cleanup  ${nodeCount - choice.victims.length} nodes stopped, ${args.keep ? `kept ${dir}` : `${dir} removed`}`
      )
      const totalMs = performance.now() - started
      say(`demo ok in ${formatDuration(totalMs)}`)
      if (args.json) {
        printJson({
          ok: true,
          nodes: nodeCount,
          size,
          pairing,
          pairs,
          failover: repaired,
          code: {
            mode: result.mode,
            dataShards: result.dataShards,
            parityShards: result.parityShards,
            note: result.note
          },
          fileId: result.fileId,
          placement: result.placement,
          killed: choice.victims.map((name) => ({
            name,
            peerId: net.nodes.find((n) => n.name === name)!.peerId
          })),
          losses: choice.losses,
          slicesRebuilt: rebuilt.map((l) => l.slice),
          slicesRebuiltByNode: rebuiltByNode,
          sha256,
          sha256Match: match,
          repair: { health: health ?? 'nothing lost', byNode },
          seconds: {
            start: startMs / 1000,
            put: putMs / 1000,
            get: getMs / 1000,
            repair: repairing ? repairMs / 1000 : 0,
            total: totalMs / 1000
          },
          dir,
          kept: args.keep === true
        })
      }
    } finally {
      if (devnet !== undefined) await devnet.stop()
      if (!args.keep) await rm(dir, { recursive: true, force: true })
    }
  }
})

/** The demo's failover timeout (the nodes' default is 30 s). */
const PAIR_FAILURE_TIMEOUT_MS = 5000

/** How often the demo's holders check their files (the nodes' default is 5 min). */
const REPAIR_CHECK_MS = 10_000

/** How long the demo waits for the pairs to form. */
const PAIRS_WAIT_MS = 30_000

/** "node-3 and node-7 (a pair) and node-5 (partner of node-2)". */
function crashText(victims: string[], widowed: { survivor: string; lost: string }[]): string {
  const singles = new Set(widowed.map((w) => w.lost))
  const whole = victims.filter((v) => !singles.has(v))
  return [
    ...(whole.length > 0 ? [`${whole.join(' and ')} (a pair)`] : []),
    ...widowed.map((w) => `${w.lost} (partner of ${w.survivor})`)
  ].join(' and ')
}

/** How long the demo waits for the survivors to bring the file back to full health. */
const REPAIR_WAIT_MS = 90_000

/** 'full' once every slice has all its shards live again (asked every half second), else the last state seen. */
async function fullHealth(client: ReturnType<Devnet['client']>, ref: string, ms: number): Promise<string> {
  const until = performance.now() + ms
  let last = 'not checked'
  while (performance.now() < until) {
    try {
      const h = await client.health(ref)
      if (h.slices.every((s) => s.live >= s.totalShards)) return 'full'
      last = `fewest live shards ${h.minLive}`
    } catch (err) {
      last = (err as Error).message
    }
    await new Promise((r) => setTimeout(r, 500))
  }
  return last
}

/**
 * Slices each node repaired, from its /metrics; a repairer counts a slice just after placing it,
 * so the count is read again for a few seconds while it is still nothing.
 */
async function repairedBy(
  net: Devnet,
  nodes: { name: string }[]
): Promise<{ name: string; slices: number }[]> {
  const read = () =>
    Promise.all(
      nodes.map(async (n) => ({
        name: n.name,
        slices: await net.client(n.name).metric('defs_repaired_slices_total')
      }))
    )
  let counts = await read()
  for (let i = 0; i < 20 && counts.every((c) => c.slices === 0); i++) {
    await new Promise((r) => setTimeout(r, 250))
    counts = await read()
  }
  return counts
}

async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  async function* random(): AsyncIterable<Uint8Array> {
    for (let left = size; left > 0; left -= 1 << 20) {
      const chunk = randomBytes(Math.min(left, 1 << 20))
      hash.update(chunk)
      yield chunk
    }
  }
  await pipeline(random(), createWriteStream(path))
  return hash.digest('hex')
}

async function download(
  client: ReturnType<Devnet['client']>,
  fileId: string,
  path: string,
  onBytes: (n: number) => void
): Promise<string> {
  const hash = createHash('sha256')
  let bytes = 0
  async function* counted(): AsyncIterable<Uint8Array> {
    for await (const chunk of client.download(fileId)) {
      bytes += chunk.length
      hash.update(chunk)
      onBytes(bytes)
      yield chunk
    }
  }
  await pipeline(counted(), createWriteStream(path))
  return hash.digest('hex')
}

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((line) => ' '.repeat(spaces) + line)
    .join('\n')
}
