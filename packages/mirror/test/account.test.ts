import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  createAccount,
  decodeAccount,
  encodeAccount,
  InvalidAccountError,
  unlockAccount,
  userIdOf,
  WrongPassphraseError
} from '@defs/mirror'
import { cheapKdf } from './helpers.ts'

describe('accounts', () => {
  it('wraps the key under the passphrase and opens it again only with that passphrase', async () => {
    const { account, key } = await createAccount('alice', 'pass one', cheapKdf)
    const text = encodeAccount(account)
    assert.ok(
      !text.includes(Buffer.from(key.exportPrivate()).toString('hex')),
      'the private key is not in the file'
    )
    const loaded = decodeAccount(text)
    const unlocked = await unlockAccount(loaded, 'pass one')
    assert.deepEqual(unlocked.exportPrivate(), key.exportPrivate())
    assert.equal(userIdOf(unlocked.publicKey), userIdOf(account.publicKey))
    await assert.rejects(unlockAccount(loaded, 'pass two'), WrongPassphraseError)
  })

  it('refuses bad names, an empty passphrase and a damaged account file, naming what is wrong', async () => {
    await assert.rejects(createAccount('Alice!', 'x', cheapKdf), /user name must be/)
    await assert.rejects(createAccount('', 'x', cheapKdf), InvalidAccountError)
    await assert.rejects(createAccount('bob', '', cheapKdf), /passphrase must be/)
    assert.throws(() => decodeAccount('{'), InvalidAccountError)
    assert.throws(
      () => decodeAccount(JSON.stringify({ name: 'bob', publicKey: 'zz', wrappedKey: '00' })),
      /hex/
    )
    assert.throws(() => decodeAccount('x'.repeat(5000)), /at most/)
  })

  it('refuses a wrapped key that is not the account key', async () => {
    const a = await createAccount('alice', 'pw', cheapKdf)
    const b = await createAccount('bob', 'pw', cheapKdf)
    await assert.rejects(
      unlockAccount({ ...a.account, wrappedKey: b.account.wrappedKey }, 'pw'),
      /not the account's key/
    )
  })
})
