// Each package's README example as a user copies it, and what it must print when run from the
// installed package.
import { readFileSync } from 'node:fs'

export interface ReadmeExample {
  /** The package, as `npm install` names it. */
  name: string
  /** Its folder in this repository. */
  dir: string
  /** A TypeScript file to run with `node`, or a `defs` command line. */
  run: { file: string } | { defs: string[] }
  /** What its output must contain. */
  prints: RegExp
}

/** The first ```ts block of a README: the lines a user writes first. */
export function firstTypeScriptBlock(readme: string): string {
  const block = readme.match(/^```ts\n([\s\S]*?)^```$/m)
  if (block === null) throw new Error('README has no ```ts block')
  return block[1]!
}

export const readmeExamples: ReadmeExample[] = [
  ts('@defs/erasure', 'packages/erasure', /^any bytes: a slice of ciphertext$/m),
  ts('@defs/crypto', 'packages/crypto', /^hello true$/m),
  ts(
    '@defs/kbucket',
    'packages/kbucket',
    /^added alice ip4:203\.0\.113\.0\/24\nadded bob ip6:2001:db8:1::\/48$/m
  ),
  ts('@defs/segment', 'packages/segment', /^1 \d+$/m),
  ts('@defs/net', 'packages/net', /^1024 1$/m),
  ts('@defs/pairing', 'packages/pairing', /^1 true$/m),
  ts('@defs/mirror', 'packages/mirror', /^mirrored root 1\nhome moved true$/m),
  // Reads photo.jpg (the test writes it) back to photo-copy.jpg with one of three nodes stopped.
  ts('@defs/node', 'packages/node', /readable: true/),
  ts('@defs/daemon', 'apps/daemon', /peerId: '12D3KooW/),
  ts('@defs/client', 'packages/client', /^running 12D3KooW\w+\nhello$/m),
  // The CLI's README starts with `npm start`, which is `defs demo`; a smaller file keeps it short.
  {
    name: '@defs/cli',
    dir: 'apps/cli',
    run: { defs: ['demo', '--size', '8MiB'] },
    prints: /5\. get .* sha256 matches[\s\S]*^demo ok/m
  }
]

function ts(name: string, dir: string, prints: RegExp): ReadmeExample {
  return { name, dir, run: { file: `readme-${dir.split('/')[1]}.ts` }, prints }
}

export function exampleSource(repo: URL, example: ReadmeExample): string {
  return firstTypeScriptBlock(readFileSync(new URL(`${example.dir}/README.md`, repo), 'utf8'))
}
