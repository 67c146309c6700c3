// Reads V8 .cpuprofile files (`--cpu-prof`) and sums self time by where the code lives: a
// package under node_modules, a DeFS package, node's internals, GC, or idle.
import { readFile } from 'node:fs/promises'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

function placeOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame
  if (functionName === '(garbage collector)') return 'GC'
  if (functionName === '(idle)' || functionName === '(program)') return functionName
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pkg !== null) return pkg[1]!
  const ours = /\/(packages|apps)\/([^/]+)\//.exec(url)
  if (ours !== null) return `@defs/${ours[2]}`
  if (url.startsWith('node:') || url === '')
    return functionName === '' ? 'node (native)' : `node: ${functionName}`
  return url
}

/** Share of busy time (idle left out) per place, largest first. */
export async function profileShares(path: string, top = 10): Promise<{ place: string; share: number }[]> {
  const p = JSON.parse(await readFile(path, 'utf8')) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const time = new Map<string, number>()
  let busy = 0
  p.samples.forEach((id, i) => {
    const place = placeOf(byId.get(id)!.callFrame)
    if (place === '(idle)') return
    const dt = p.timeDeltas[i] ?? 0
    busy += dt
    time.set(place, (time.get(place) ?? 0) + dt)
  })
  return [...time.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([place, t]) => ({ place, share: t / busy }))
}
