// The node's config is read back at start: what a node was started with stays, what is given
// again wins, a newer schema is refused with its reason, a legacy JSON config is migrated with a
// backup, and a typo is refused naming it.
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { readNodeConfig, writeNodeConfig } from '../src/config.ts'
import { createNode, pairingService, repair } from '../src/index.ts'

describe('the node config', () => {
  let root: string
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'defs-config-'))
  })
  after(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('is read back at start: stored options stay, given ones win', async () => {
    const dataDir = join(root, 'a')
    await (await createNode({ dataDir, maxStorage: 123_456_789, minSliceSize: 65_536, workerNum: 1 })).stop()
    const again = await createNode({ dataDir, workerNum: 2 })
    await again.stop()
    const stored = await readNodeConfig(dataDir)
    assert.equal(stored?.maxStorage, 123_456_789)
    assert.equal(stored?.minSliceSize, 65_536)
    assert.equal(stored?.workerNum, 2)
    assert.equal((await again.status()).maxStorage, 123_456_789)
  })

  it('refuses a config written by a newer DeFS, with the reason, and leaves it alone', async () => {
    const dataDir = join(root, 'b')
    await writeNodeConfig({ dataDir })
    const path = join(dataDir, 'config')
    const bytes = new Uint8Array(await readFile(path))
    // The version is the map's first entry (key 0): 0x00 0x01 right after the map head (one byte
    // for up to 23 entries, two past that).
    const at = bytes[0] === 0xb8 ? 2 : 1
    assert.deepEqual([bytes[at], bytes[at + 1]], [0x00, 0x02])
    bytes[at + 1] = 0x03
    await writeFile(path, bytes)
    await assert.rejects(createNode({ dataDir }), (err: Error) => {
      assert.equal(err.name, 'ConfigFileError')
      assert.match(err.message, /was written by a newer DeFS .*version must be 2, got 3.*upgrade DeFS/)
      return true
    })
    assert.deepEqual(new Uint8Array(await readFile(path)), bytes)
  })

  it('migrates the unversioned JSON config, keeping the old file beside it', async () => {
    const dataDir = join(root, 'c')
    await writeNodeConfig({ dataDir })
    const legacy = { ...(await readNodeConfig(dataDir)), bootstrap: '', dialTimeout: 7 }
    await writeFile(join(dataDir, 'config'), JSON.stringify(legacy))
    const node = await createNode({ dataDir, workerNum: 1 })
    await node.stop()
    assert.equal((await readNodeConfig(dataDir))?.dialTimeout, 7000)
    assert.equal(JSON.parse(await readFile(join(dataDir, 'config.v0'), 'utf8')).dialTimeout, 7)
  })

  it('keeps the built-in services options and hands them to the services', async () => {
    const dataDir = join(root, 'e')
    const tuned = {
      mirrorInterval: 5000,
      repairCheckInterval: 90_000,
      repairBandwidth: 8 * 2 ** 20,
      repairAudits: false,
      leaseDuration: 3_600_000,
      leaseGrace: 600_000,
      pairFailureTimeout: 45_000,
      pairMaintenanceMax: 900_000
    }
    await writeNodeConfig({ dataDir, ...tuned })
    const { dataDir: _, ...stored } = (await readNodeConfig(dataDir)) ?? {}
    assert.deepEqual(
      Object.fromEntries(Object.keys(tuned).map((k) => [k, (stored as Record<string, unknown>)[k]])),
      tuned
    )
    // started over the file alone: the built-in services run with what it says
    const node = await createNode({ dataDir, workerNum: 1 })
    try {
      assert.equal(node.services.repair.options.repairCheckInterval, 90_000)
      assert.equal(node.services.repair.options.repairBandwidth, 8 * 2 ** 20)
      assert.equal(node.services.repair.options.repairAudits, false)
      assert.equal(node.services.leases.options.leaseDuration, 3_600_000)
      assert.equal(node.services.leases.options.leaseGrace, 600_000)
    } finally {
      await node.stop()
    }
    // the pairing service takes the node's, under what it is given; a service given replaces the built-in one
    const given = await createNode({
      dataDir,
      workerNum: 1,
      services: {
        pairing: pairingService({ heartbeatInterval: 500 }),
        repair: repair({ repairCheckInterval: 1000 })
      }
    })
    try {
      assert.equal(given.services.pairing.service.options.pairFailureTimeout, 45_000)
      assert.equal(given.services.pairing.service.options.pairMaintenanceMax, 900_000)
      assert.equal(given.services.pairing.service.options.heartbeatInterval, 500)
      assert.equal(given.services.repair.options.repairCheckInterval, 1000)
      assert.equal(given.services.repair.options.repairAudits, true)
    } finally {
      await given.stop()
    }
    // what was never set stays out of the file: the services' defaults apply
    await writeNodeConfig({ dataDir, leaseGrace: 0 })
    const plain = await readNodeConfig(dataDir)
    assert.equal(plain?.leaseGrace, 0)
    assert.equal(plain?.repairCheckInterval, undefined)
    assert.equal(plain?.pairFailureTimeout, undefined)
  })

  it('refuses an option that does not exist, naming it', async () => {
    await assert.rejects(createNode({ dataDir: join(root, 'd'), parityShard: 3 } as never), {
      name: 'InvalidOptionError',
      message: /option parityShard is not an option; did you mean parityShards\?/
    })
  })
})
