// Sign-in, two ways: the operator with the node's API token (`<node dir>/api-token`, or what
// `defs dashboard` prints), or a user of the node's accounts (`defs user create`) with their name
// and passphrase. Both are one form (SignInForm) with their own fields. What is typed is sent once
// and forgotten: the daemon answers with an HttpOnly session cookie, the operator's or that
// user's. SignedInHeader is the one header (and sign-out) of what either then sees.
import type { SessionInfo } from '@defs/client'
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { client } from './live-node.ts'

type SignedIn = (session: SessionInfo) => void

export function SignIn(props: { onSignedIn: SignedIn }) {
  return (
    <div class="sign-in">
      <SignInForm
        id="user-sign-in"
        title="DeFS: your files"
        fields={[
          { id: 'user-name', label: 'User name', autocomplete: 'username' },
          { id: 'passphrase', label: 'Passphrase', secret: true, autocomplete: 'current-password' }
        ]}
        signIn={([name, passphrase]) => client.signInAsUser(name!.trim(), passphrase!)}
        onSignedIn={props.onSignedIn}
      >
        An account of this node: <code>defs user create NAME</code> makes one.
      </SignInForm>
      <SignInForm
        id="sign-in"
        title="DeFS node: operator"
        fields={[{ id: 'token', label: 'API token', secret: true, autocomplete: 'off' }]}
        signIn={async ([token]) => {
          await client.signIn(token!.trim())
          return { kind: 'operator' }
        }}
        onSignedIn={props.onSignedIn}
      >
        The token is in <code>api-token</code> in the node's directory; <code>defs dashboard</code> prints it.
      </SignInForm>
    </div>
  )
}

interface Field {
  id: string
  label: string
  secret?: boolean
  autocomplete: string
}

/** One sign-in form: its fields, sent to `signIn`; its error (the daemon's message) shown until the next try. */
function SignInForm(props: {
  id: string
  title: string
  fields: Field[]
  signIn: (values: string[]) => Promise<SessionInfo>
  onSignedIn: SignedIn
  children: ComponentChildren
}) {
  const [values, setValues] = useState(() => props.fields.map(() => ''))
  const [error, setError] = useState<string | undefined>()
  const submit = async (e: Event) => {
    e.preventDefault()
    setError(undefined)
    try {
      const session = await props.signIn(values)
      // Nothing typed outlives the sign-in (a name may stay: it is no secret).
      setValues(props.fields.map((f, i) => (f.secret ? '' : values[i]!)))
      props.onSignedIn(session)
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return (
    <form id={props.id} class="card" onSubmit={submit}>
      <h1>{props.title}</h1>
      {props.fields.map((f, i) => {
        const input = {
          id: f.id,
          autocomplete: f.autocomplete,
          value: values[i],
          onInput: (e: Event) => {
            const value = (e.target as HTMLInputElement).value
            setValues((was) => was.map((v, j) => (j === i ? value : v)))
          }
        }
        return (
          <label key={f.id} htmlFor={f.id}>
            {f.label}
            {f.secret ? <input type="password" {...input} /> : <input {...input} />}
          </label>
        )
      })}
      <button type="submit">Sign in</button>
      {error !== undefined && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p class="hint">{props.children}</p>
    </form>
  )
}

/** The header of a signed-in page: its title, and the sign-out (the session ended at the daemon, then here). */
export function SignedInHeader(props: { children: ComponentChildren; onSignedOut: () => void }) {
  const signOut = async () => {
    await client.signOut().catch(() => {})
    props.onSignedOut()
  }
  return (
    <header>
      <h1>{props.children}</h1>
      <button id="sign-out" type="button" onClick={signOut}>
        Sign out
      </button>
    </header>
  )
}
