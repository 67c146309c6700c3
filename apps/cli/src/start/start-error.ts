// What a failed start means for the user: libp2p reports a taken p2p port as a multi-line
// UnsupportedListenAddressesError with the socket's stack inside; this is the one line.
import { UserError } from '../user-error.ts'

export function explainStartError(err: unknown): unknown {
  const message = (err as Error)?.message ?? ''
  const taken = /EADDRINUSE: address already in use (\S+)/.exec(message)
  if (taken !== null) {
    return new UserError(
      `p2p address ${taken[1]} is in use (another node?); choose another with --port, or --port 0 for any free one`
    )
  }
  return err
}
