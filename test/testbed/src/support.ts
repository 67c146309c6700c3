// Whether this machine can run a testbed: root, and the ip, nft and tc commands. The reason is
// one line, printed once, and is the skip reason of every testbed test. With
// DEFS_TESTBED_REQUIRED=1 (CI sets it) a missing piece is an error instead of a skip.
import { execFileSync } from 'node:child_process'

export type TestbedSupport = { ok: true } | { ok: false; reason: string }

let cached: TestbedSupport | undefined

function has(command: string): boolean {
  try {
    execFileSync(command, ['-V'], { stdio: 'ignore' })
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT'
  }
}

export function testbedSupport(): TestbedSupport {
  if (cached !== undefined) return cached
  const missing = ['ip', 'nft', 'tc'].filter((c) => !has(c))
  const uid = process.getuid?.()
  cached =
    process.platform !== 'linux'
      ? { ok: false, reason: `testbed: skipped, network namespaces need Linux (this is ${process.platform})` }
      : uid !== 0
        ? { ok: false, reason: `testbed: skipped, network namespaces need root (uid ${uid})` }
        : missing.length > 0
          ? {
              ok: false,
              reason: `testbed: skipped, missing ${missing.join(', ')} (apt-get install iproute2 nftables)`
            }
          : { ok: true }
  if (!cached.ok) {
    if (process.env.DEFS_TESTBED_REQUIRED === '1')
      throw new Error(cached.reason.replace('skipped', 'required'))
    console.log(cached.reason)
  }
  return cached
}

/** For `describe(name, { skip: testbedSkip() }, ...)`: false, or the reason. */
export function testbedSkip(): false | string {
  const s = testbedSupport()
  return s.ok ? false : s.reason
}
