// The dashboard's one page: sign-in until the daemon takes the session, then for the operator the
// node, its peers, upload, tasks and files, all kept current by the event stream; for a user
// signed in with their passphrase, their own files.
import type { SessionInfo } from '@defs/client'
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { FilesPanel } from './files-panel.tsx'
import { client, LiveNode, type Snapshot } from './live-node.ts'
import { NodePanel } from './node-panel.tsx'
import { PairPanel } from './pair-panel.tsx'
import { PeersPanel } from './peers-panel.tsx'
import { SignedInHeader, SignIn } from './sign-in.tsx'
import { TasksPanel } from './tasks-panel.tsx'
import { ThroughputPanel } from './throughput-panel.tsx'
import { UploadPanel } from './upload-panel.tsx'
import { UserView } from './user-view.tsx'

function Dashboard(props: { onSignedOut: () => void }) {
  const [snapshot, setSnapshot] = useState<Snapshot | undefined>()
  useEffect(() => {
    const node = new LiveNode()
    const unsubscribe = node.subscribe(setSnapshot)
    node.start().catch(() => props.onSignedOut())
    return () => {
      unsubscribe()
      node.stop()
    }
  }, [])
  if (snapshot?.status === undefined) return <p class="card">Loading…</p>
  return (
    <main>
      <SignedInHeader onSignedOut={props.onSignedOut}>DeFS node</SignedInHeader>
      <NodePanel status={snapshot.status} live={snapshot.live} />
      <PairPanel pair={snapshot.pair} />
      <PeersPanel peers={snapshot.peers} />
      <UploadPanel />
      <TasksPanel tasks={snapshot.tasks} />
      <ThroughputPanel samples={snapshot.throughput} />
      <FilesPanel files={snapshot.files} />
    </main>
  )
}

function App() {
  // undefined until the daemon said; null: signed out.
  const [session, setSession] = useState<SessionInfo | null | undefined>()
  useEffect(() => {
    // A session cookie from before may still hold.
    client.whoami().then(setSession, () => setSession(null))
  }, [])
  if (session === undefined) return null
  const signedOut = () => setSession(null)
  if (session === null) return <SignIn onSignedIn={setSession} />
  return session.kind === 'user' ? (
    <UserView session={session} onSignedOut={signedOut} />
  ) : (
    <Dashboard onSignedOut={signedOut} />
  )
}

render(<App />, document.getElementById('app')!)
