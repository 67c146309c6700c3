// The ten lines a user writes first: a routing table, the nearest peers to a key, and placement
// targets chosen by score. Run: node --conditions=@defs/source packages/kbucket/examples/placement.ts
import { keyOf, networkGroupOf, PeerScorer, RoutingTable } from '@defs/kbucket'

export async function placement(log = console.log): Promise<{ nearest: string[]; targets: string[] }> {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
  const table = new RoutingTable(await keyOf(bytes('me')))
  table.addEventListener('peer:added', (e) => log('added', e.detail.id, e.detail.group ?? '(own group)'))
  const scorer = new PeerScorer()
  const seen = { alice: '203.0.113.7', bob: '198.51.100.9', carol: '2001:db8:1::5', dave: '203.0.113.8' }
  for (const [id, address] of Object.entries(seen)) {
    table.add({ id, key: await keyOf(bytes(id)), address })
    scorer.observe(id, { rttMs: 40, freeBytes: 200e9, audit: 'pass', group: networkGroupOf(address) })
  }
  scorer.observe('bob', { audit: 'fail' })
  scorer.observe('bob', { audit: 'fail' })
  const nearest = table.closest(await keyOf(bytes('shard-0')), 2).map((e) => e.id)
  const targets = scorer.select(2) // two of alice/carol/dave, never alice and dave (one /24)
  return { nearest, targets }
}

if (import.meta.main) console.log(await placement())
