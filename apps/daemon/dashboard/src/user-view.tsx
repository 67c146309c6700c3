// What a user signed in with their name and passphrase sees: their own tree (as `defs ls` with a
// session lists it), an upload into it by drag and drop, and nothing of the operator's (node, peers, tasks, maintenance: the daemon
// refuses those routes to a user's session). The tree is read again on Refresh and whenever the
// page comes back into view, as the node's event stream is the operator's.
import type { SessionInfo, UserTree } from '@defs/client'
import { useEffect, useState } from 'preact/hooks'
import { bytes } from './format.ts'
import { client } from './live-node.ts'
import { UploadPanel } from './upload-panel.tsx'

export function UserView(props: { session: SessionInfo & { kind: 'user' }; onSignedOut: () => void }) {
  const [tree, setTree] = useState<UserTree | undefined>()
  const [error, setError] = useState<string | undefined>()
  const load = async () => {
    try {
      setTree(await client.tree())
      setError(undefined)
    } catch (err) {
      // A session gone (the daemon restarted, or it expired) is a sign-in again.
      if ((err as Error).name === 'SessionRequiredError' || (err as Error).name === 'UnauthorizedError')
        props.onSignedOut()
      else setError((err as Error).message)
    }
  }
  useEffect(() => {
    void load()
    const onVisible = () => document.visibilityState === 'visible' && void load()
    document.addEventListener('visibilitychange', onVisible)
    return () => document.removeEventListener('visibilitychange', onVisible)
  }, [])
  const signOut = async () => {
    await client.signOut().catch(() => {})
    props.onSignedOut()
  }
  return (
    <main>
      <header>
        <h1>
          DeFS:{' '}
          <span id="user" data-user={props.session.user}>
            {props.session.name}
          </span>
        </h1>
        <button id="sign-out" type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <UploadPanel onUploaded={() => void load()} />
      <section id="user-files" class="card">
        <h2>
          Your files{' '}
          <button id="refresh-tree" type="button" onClick={load}>
            Refresh
          </button>
        </h2>
        {error !== undefined && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        {tree === undefined ? (
          <p>Loading…</p>
        ) : tree.entries.length === 0 ? (
          <p id="tree-empty">
            No files yet: <code>defs put FILE --session …</code> after{' '}
            <code>defs login {props.session.name}</code>.
          </p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Size</th>
                <th>File id</th>
              </tr>
            </thead>
            <tbody>
              {tree.entries.map((f) => (
                <tr key={f.name} data-name={f.name} data-file={f.fileId}>
                  <td>{f.name}</td>
                  <td>{f.size === undefined ? '?' : bytes(f.size)}</td>
                  <td>
                    <code>{f.fileId}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="hint" id="tree-seq">
          Tree version {tree?.seq ?? '…'}
        </p>
      </section>
    </main>
  )
}
