// Files of random bytes for testbed tests, in a directory removed with the test.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDeadRun } from '../src/index.ts'

export async function scratch(): Promise<{
  file(name: string, bytes: number): Promise<string>
  remove(): Promise<void>
}> {
  const dir = await mkdtemp(join(tmpdir(), 'defs-testbed-files-'))
  return {
    async file(name, bytes) {
      const path = join(dir, name)
      await writeFile(path, randomBytes(bytes))
      return path
    },
    remove: () => rm(dir, { recursive: true, force: true })
  }
}

/** Our namespaces and those of dead runs; another live run's (a parallel test) are not ours to judge. */
export function leftBehind(all: string[], runId: string): string[] {
  return all.filter((ns) => ns.startsWith(runId) || isDeadRun(ns))
}

/** 'gone' for an exited process (a zombie not yet reaped by init counts: it runs nothing). */
export function processState(pid: number): 'gone' | 'running' {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z') ? 'gone' : 'running'
  } catch {
    return 'gone'
  }
}
