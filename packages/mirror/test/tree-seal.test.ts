import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateSigningKey, randomBytes } from '@defs/crypto'
import { openTree, sealTree } from '@defs/mirror'
import type { UserTree } from '@defs/segment'

describe('sealed trees', () => {
  it('opens only with the user key, and the blob does not contain the names or keys', async () => {
    const user = await generateSigningKey()
    const tree: UserTree = {
      entries: [{ name: 'notes/very-secret-plan.txt', fileId: randomBytes(16), wrappedKey: randomBytes(90) }]
    }
    const blob = await sealTree(tree, user.publicKey)
    assert.deepEqual(await openTree(blob, user), tree)
    const text = Buffer.from(blob).toString('latin1')
    assert.ok(!text.includes('very-secret-plan'), 'the name is not in the clear')
    assert.ok(!Buffer.from(blob).includes(Buffer.from(tree.entries[0]!.fileId)), 'nor the file id')
    const other = await generateSigningKey()
    await assert.rejects(openTree(blob, other))
    const flipped = blob.slice()
    flipped[flipped.length - 1]! ^= 1
    await assert.rejects(openTree(flipped, user), { name: 'AuthenticationError' })
    await assert.rejects(openTree(blob.subarray(0, 3), user), { name: 'BadBlobError' })
  })
})
