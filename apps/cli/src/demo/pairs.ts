// The demo's pairs: which nodes paired, which to crash so that both kinds of failure show (a whole
// pair gone, so its shards must be rebuilt from the other shards of their slices; one node of
// another pair gone, so its partner must find a new one and copy it everything), and how long
// the survivors took to pair anew.
import type { PutResult } from '@defs/node'
import type { Devnet, DevnetNode } from '../devnet/devnet.ts'
import type { SliceLoss, VictimChoice } from './victims.ts'

export interface DemoPair {
  a: string
  b: string
}

export interface PairVictims extends VictimChoice {
  /** Each node whose partner is among the victims, beside that partner. */
  widowed: { survivor: string; lost: string }[]
  /** The shards the placement names on a victim, per slice: what a read finds missing. */
  readLosses: SliceLoss[]
}

/** Partner names by node name, of the nodes that answer and have a partner. */
async function partners(
  net: Devnet,
  names: string[]
): Promise<Map<string, { partner: string; epoch: number }>> {
  const byPeer = new Map(net.nodes.map((n) => [n.peerId, n.name]))
  const out = new Map<string, { partner: string; epoch: number }>()
  await Promise.all(
    names.map(async (name) => {
      const report = await net
        .client(name)
        .pair()
        .catch(() => undefined)
      if (report?.enabled !== true || report.partner === undefined) return
      const partner = byPeer.get(report.partner)
      if (partner !== undefined) out.set(name, { partner, epoch: report.epoch })
    })
  )
  return out
}

/**
 * Waits (bounded, asked every 250 ms) until `count` mutual pairs formed among the nodes; resolves
 * with the pairs seen last, complete or not.
 */
export async function waitForPairs(net: Devnet, count: number, ms: number): Promise<DemoPair[]> {
  const until = performance.now() + ms
  let pairs: DemoPair[] = []
  for (;;) {
    const seen = await partners(
      net,
      net.nodes.map((n) => n.name)
    )
    pairs = [...seen]
      .filter(([name, p]) => seen.get(p.partner)?.partner === name && name < p.partner)
      .map(([name, p]) => ({ a: name, b: p.partner }))
    if (pairs.length >= count || performance.now() >= until) return pairs
    await new Promise((r) => setTimeout(r, 250))
  }
}

/**
 * The demo's victims with pairs: the whole pair (neither node `keep`) whose loss costs the most
 * data shards, every slice keeping k (placement puts at most m of a slice on one pair), then
 * `count - 2` single nodes of other pairs, whose partners keep their shards and must re-pair.
 * A shard is lost only if its holder and that holder's partner are both among the victims.
 */
export function choosePairVictims(
  placement: PutResult['placement'],
  dataShards: number,
  parityShards: number,
  pairs: DemoPair[],
  keep: string,
  count: number,
  peerOf: (name: string) => string
): PairVictims {
  const candidates = pairs.filter((p) => p.a !== keep && p.b !== keep)
  const lossesOf = (dead: string[]): SliceLoss[] => {
    const peers = new Set(dead.map(peerOf))
    return placement.map(({ slice, shards }) => ({
      slice,
      lost: shards
        .filter((s) => peers.has(s.peerId))
        .map((s) => s.index)
        .sort((x, y) => x - y)
    }))
  }
  let whole: { pair: DemoPair; losses: SliceLoss[]; dataLost: number } | undefined
  if (count >= 2) {
    for (const pair of candidates) {
      const losses = lossesOf([pair.a, pair.b])
      if (losses.some((l) => l.lost.length > parityShards)) continue
      const dataLost = losses.reduce((n, l) => n + l.lost.filter((i) => i < dataShards).length, 0)
      if (whole === undefined || dataLost > whole.dataLost) whole = { pair, losses, dataLost }
    }
  }
  const singles = candidates
    .filter((p) => p !== whole?.pair)
    .slice(0, Math.max(0, count - (whole === undefined ? 0 : 2)))
  const victims = [...(whole === undefined ? [] : [whole.pair.a, whole.pair.b]), ...singles.map((p) => p.b)]
  const losses = whole?.losses ?? lossesOf([])
  return {
    victims,
    losses,
    recoverable: losses.every((l) => l.lost.length <= parityShards),
    widowed: singles.map((p) => ({ survivor: p.a, lost: p.b })),
    // a read asks each shard's holder as the placement names it, not its partner: a data shard
    // on any victim makes it rebuild the slice from parity
    readLosses: lossesOf(victims)
  }
}

/** A choice made without pairs: no partner is left behind, a read misses what is lost. */
export function withoutPairs(choice: VictimChoice): PairVictims {
  return { ...choice, widowed: [], readLosses: choice.losses }
}

export interface Repaired {
  survivor: string
  lost: string
  partner?: string
  epoch?: number
  /** From the crash to the new pairing record. */
  ms?: number
}

/**
 * Waits (bounded, asked every 250 ms) until each survivor of a crashed partner has a new one;
 * resolves with who paired whom at which epoch and when, undefined partner for those that did not.
 */
export async function waitForNewPartners(
  net: Devnet,
  widowed: { survivor: string; lost: string }[],
  crashedAt: number,
  ms: number
): Promise<Repaired[]> {
  const until = crashedAt + ms
  const done = new Map<string, Repaired>()
  while (done.size < widowed.length && performance.now() < until) {
    const seen = await partners(
      net,
      widowed.map((w) => w.survivor)
    )
    for (const w of widowed) {
      const now = seen.get(w.survivor)
      if (done.has(w.survivor) || now === undefined || now.partner === w.lost) continue
      done.set(w.survivor, {
        ...w,
        partner: now.partner,
        epoch: now.epoch,
        ms: performance.now() - crashedAt
      })
    }
    if (done.size < widowed.length) await new Promise((r) => setTimeout(r, 250))
  }
  return widowed.map((w) => done.get(w.survivor) ?? w)
}

/** "node-1 + node-6, node-2 + node-4 (node-9 alone)". */
export function pairsText(pairs: DemoPair[], nodes: DevnetNode[]): string {
  const paired = new Set(pairs.flatMap((p) => [p.a, p.b]))
  const alone = nodes.map((n) => n.name).filter((n) => !paired.has(n))
  const text = pairs.map((p) => `${p.a} + ${p.b}`).join(', ')
  return alone.length === 0 ? text : `${text} (${alone.join(', ')} alone)`
}
