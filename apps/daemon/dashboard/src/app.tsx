// The dashboard's one page: sign-in until the daemon takes the session, then the node, its peers,
// upload, tasks and files, all kept current by the event stream.
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { FilesPanel } from './files-panel.tsx'
import { client, LiveNode, type Snapshot } from './live-node.ts'
import { NodePanel } from './node-panel.tsx'
import { PairPanel } from './pair-panel.tsx'
import { PeersPanel } from './peers-panel.tsx'
import { SignIn } from './sign-in.tsx'
import { TasksPanel } from './tasks-panel.tsx'
import { ThroughputPanel } from './throughput-panel.tsx'
import { UploadPanel } from './upload-panel.tsx'

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
  const signOut = async () => {
    await client.signOut().catch(() => {})
    props.onSignedOut()
  }
  return (
    <main>
      <header>
        <h1>DeFS node</h1>
        <button id="sign-out" type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
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
  const [signedIn, setSignedIn] = useState<boolean | undefined>()
  useEffect(() => {
    // A session cookie from before may still hold.
    client.status().then(
      () => setSignedIn(true),
      () => setSignedIn(false)
    )
  }, [])
  if (signedIn === undefined) return null
  return signedIn ? (
    <Dashboard onSignedOut={() => setSignedIn(false)} />
  ) : (
    <SignIn onSignedIn={() => setSignedIn(true)} />
  )
}

render(<App />, document.getElementById('app')!)
