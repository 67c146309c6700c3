// doc/grafana-dashboard.json charts the daemon's /metrics: every metric a panel's query names must
// be one the daemon exports, so the dashboard never shows "no data" for a name that was renamed.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { startDaemon } from '../src/daemon.ts'
import { FakeNode } from './fake-node.ts'

const dashboard = new URL('../../../doc/grafana-dashboard.json', import.meta.url)

/** The metric names of a Prometheus text page (histograms and summaries by their base name too). */
function exported(text: string): Set<string> {
  const names = new Set<string>()
  for (const m of text.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    const [, name, type] = m
    names.add(name!)
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`)
  }
  return names
}

describe('the Grafana dashboard in doc/', () => {
  it('charts only metrics the daemon exports, and charts each of the daemon’s own', async () => {
    const json = JSON.parse(await readFile(dashboard, 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[]
    }
    const dir = await mkdtemp(join(tmpdir(), 'defs-grafana-'))
    const daemon = await startDaemon({ dir, port: 0, createNode: async () => new FakeNode() })
    try {
      const res = await fetch(`${daemon.url}/metrics`, {
        headers: { authorization: `Bearer ${daemon.token}` }
      })
      const names = exported(await res.text())
      const used = new Set<string>()
      for (const panel of json.panels) {
        assert.ok(panel.targets.length > 0, `panel ${panel.title} has a query`)
        for (const { expr } of panel.targets) {
          for (const [name] of expr.matchAll(/\b(defs|libp2p)_[a-z0-9_]+\b/g)) {
            assert.ok(
              names.has(name),
              `panel "${panel.title}" queries ${name}, which /metrics does not export`
            )
            used.add(name.replace(/_(bucket|sum|count)$/, ''))
          }
        }
      }
      const own = [...names].filter((n) => n.startsWith('defs_') && !/_(bucket|sum|count)$/.test(n))
      assert.deepEqual(
        own.filter((n) => !used.has(n)),
        [],
        'every defs_ metric has a panel'
      )
    } finally {
      await daemon.stop()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
