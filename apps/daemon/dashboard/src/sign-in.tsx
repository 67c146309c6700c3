// Sign-in with the node's API token (`<node dir>/api-token`, or what `defs dashboard` prints).
// The token is sent once and forgotten: the daemon answers with an HttpOnly session cookie.
import { useState } from 'preact/hooks'
import { client } from './live-node.ts'

export function SignIn(props: { onSignedIn: () => void }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | undefined>()
  const submit = async (e: Event) => {
    e.preventDefault()
    setError(undefined)
    try {
      await client.signIn(token.trim())
      setToken('')
      props.onSignedIn()
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <form id="sign-in" class="card" onSubmit={submit}>
      <h1>DeFS node</h1>
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
      {error !== undefined && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p class="hint">
        The token is in <code>api-token</code> in the node's directory; <code>defs dashboard</code> prints it.
      </p>
    </form>
  )
}
