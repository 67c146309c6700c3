// What a user signed in with their name and passphrase sees: their own tree (as `defs ls` with a
// session lists it), an upload into it by drag and drop, download by click and share (copy the
// capability, or grant a file to another user as `defs share FILE --with USER` does), and nothing
// of the operator's (node, peers, tasks, maintenance: the daemon refuses those routes to a user's
// session, and reads them only files their tree reaches). The tree is read again on Refresh and whenever the
// page comes back into view, as the node's event stream is the operator's.
import type { SessionInfo, ShareGrant, UserTree } from '@defs/client'
import { useEffect, useState } from 'preact/hooks'
import { FileActions, SharedCapability, useShare } from './file-actions.tsx'
import { bytes } from './format.ts'
import { client } from './live-node.ts'
import { SignedInHeader } from './sign-in.tsx'
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
  const { shared, error: shareError, share } = useShare((fileId) => client.userCapability(fileId))
  return (
    <main>
      <SignedInHeader onSignedOut={props.onSignedOut}>
        DeFS:{' '}
        <span id="user" data-user={props.session.user}>
          {props.session.name}
        </span>
      </SignedInHeader>
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
        <SharedCapability shared={shared} error={shareError} />
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
                <th />
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
                  <td>
                    <FileActions fileId={f.fileId} onShare={share} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p class="hint" id="tree-seq">
          Tree version {tree?.seq ?? '…'}
        </p>
        {tree !== undefined && tree.entries.length > 0 && (
          <ShareWith files={tree.entries.map((f) => f.name)} onShared={() => void load()} />
        )}
      </section>
    </main>
  )
}

/** Grants a file of the tree to another user (their user id, or a name this node knows). */
function ShareWith(props: { files: string[]; onShared: () => void }) {
  const [file, setFile] = useState(props.files[0] ?? '')
  const [friend, setFriend] = useState('')
  const [done, setDone] = useState<ShareGrant | string | undefined>()
  const submit = async (e: Event) => {
    e.preventDefault()
    try {
      setDone(await client.shareWith(file || props.files[0]!, friend.trim()))
      props.onShared()
    } catch (err) {
      setDone((err as Error).message)
    }
  }
  return (
    <form id="share-with" onSubmit={submit}>
      <label>
        Share{' '}
        <select id="share-file" value={file} onChange={(e) => setFile((e.target as HTMLSelectElement).value)}>
          {props.files.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        with user{' '}
        <input
          id="share-friend"
          placeholder="name or user id"
          value={friend}
          onInput={(e) => setFriend((e.target as HTMLInputElement).value)}
        />
      </label>{' '}
      <button type="submit">Share</button>
      {typeof done === 'string' ? (
        <p class="error" role="alert">
          {done}
        </p>
      ) : (
        done !== undefined && (
          <p id="shared-with" data-with={done.with}>
            Shared {done.name} with {done.with.slice(0, 16)}… (tree version {done.seq})
          </p>
        )
      )}
    </form>
  )
}
