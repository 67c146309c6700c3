// A file's actions, the same for the node's files and a user's tree: download by click (the daemon
// sends it as an attachment; a user's cookie reads only what their tree reaches) and share by
// copying its capability, which `capabilityOf` finds (the node's keystore, or the user's tree).
import { useState } from 'preact/hooks'

export interface Capability {
  fileId: string
  capability: string
}

/** The capability last shared, the click that shares one, and what went wrong. */
export function useShare(capabilityOf: (fileId: string) => Promise<Capability>) {
  const [shared, setShared] = useState<Capability | undefined>()
  const [error, setError] = useState<string | undefined>()
  const share = async (fileId: string) => {
    try {
      const c = await capabilityOf(fileId)
      setShared(c)
      setError(undefined)
      // Allowed on 127.0.0.1 (a secure context) after a click; the field shows it anyway.
      await navigator.clipboard?.writeText(c.capability).catch(() => {})
    } catch (err) {
      setError((err as Error).message)
    }
  }
  return { shared, error, share }
}

/** The field showing the capability just copied (or why it could not be). */
export function SharedCapability(props: { shared: Capability | undefined; error?: string | undefined }) {
  return (
    <>
      {props.error !== undefined && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
      {props.shared !== undefined && (
        <label class="capability">
          Capability of {props.shared.fileId} (copied)
          <input id="capability" readOnly value={props.shared.capability} />
        </label>
      )}
    </>
  )
}

export function FileActions(props: { fileId: string; onShare: (fileId: string) => void }) {
  return (
    <>
      <a data-action="download" href={`/v1/files/${props.fileId}?download`} download>
        download
      </a>{' '}
      <button type="button" data-action="share" onClick={() => props.onShare(props.fileId)}>
        share
      </button>
    </>
  )
}
