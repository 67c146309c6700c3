// Sign-in, two ways: the operator with the node's API token (`<node dir>/api-token`, or what
// `defs dashboard` prints), or a user of the node's accounts (`defs user create`) with their name
// and passphrase. What is typed is sent once and forgotten: the daemon answers with an HttpOnly
// session cookie, the operator's or that user's.
import type { SessionInfo } from '@defs/client'
import { useState } from 'preact/hooks'
import { client } from './live-node.ts'

type SignedIn = (session: SessionInfo) => void

export function SignIn(props: { onSignedIn: SignedIn }) {
  return (
    <div class="sign-in">
      <UserSignIn onSignedIn={props.onSignedIn} />
      <TokenSignIn onSignedIn={props.onSignedIn} />
    </div>
  )
}

/** A form's submit: runs `attempt`, showing its error (the daemon's message) until the next try. */
function useAttempt(attempt: () => Promise<void>) {
  const [error, setError] = useState<string | undefined>()
  const submit = async (e: Event) => {
    e.preventDefault()
    setError(undefined)
    await attempt().catch((err: Error) => setError(err.message))
  }
  return { error, submit }
}

function Alert(props: { error: string | undefined }) {
  return props.error === undefined ? null : (
    <p class="error" role="alert">
      {props.error}
    </p>
  )
}

function UserSignIn(props: { onSignedIn: SignedIn }) {
  const [name, setName] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const { error, submit } = useAttempt(async () => {
    const session = await client.signInAsUser(name.trim(), passphrase)
    setPassphrase('')
    props.onSignedIn(session)
  })
  return (
    <form id="user-sign-in" class="card" onSubmit={submit}>
      <h1>DeFS: your files</h1>
      <label>
        User name
        <input
          id="user-name"
          autocomplete="username"
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </label>
      <label>
        Passphrase
        <input
          id="passphrase"
          type="password"
          autocomplete="current-password"
          value={passphrase}
          onInput={(e) => setPassphrase((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Sign in</button>
      <Alert error={error} />
      <p class="hint">
        An account of this node: <code>defs user create NAME</code> makes one.
      </p>
    </form>
  )
}

function TokenSignIn(props: { onSignedIn: SignedIn }) {
  const [token, setToken] = useState('')
  const { error, submit } = useAttempt(async () => {
    await client.signIn(token.trim())
    setToken('')
    props.onSignedIn({ kind: 'operator' })
  })
  return (
    <form id="sign-in" class="card" onSubmit={submit}>
      <h1>DeFS node: operator</h1>
      <label>
        API token
        <input
          id="token"
          type="password"
          autocomplete="off"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Sign in</button>
      <Alert error={error} />
      <p class="hint">
        The token is in <code>api-token</code> in the node's directory; <code>defs dashboard</code> prints it.
      </p>
    </form>
  )
}
