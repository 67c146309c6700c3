// The daemon's `shares` service: the read capability of a file whose key this node keeps (it
// stored the file, or read it with its capability), for `defs share` to print again. A service of
// the node (createNode's `services`), so it reaches the keystore without widening the node's API.
import {
  type CreateNodeOptions,
  formatCapability,
  type NodePairing,
  pairingService,
  type ServiceFactory
} from '@defs/node'
import type { PairingOptions } from '@defs/pairing'
import { decodeEnvelope, verify } from '@defs/segment'

export interface Shares {
  /** `defs:<id>:<key>:<owner>`, or undefined when this node holds no key for the file. */
  capability(fileIdHex: string): Promise<string | undefined>
}

export const sharesService: ServiceFactory<Shares> = {
  create: (components) => ({
    async capability(fileIdHex) {
      const key = await components.keystore.get(fileIdHex)
      const held = await components.meta.getManifest(fileIdHex)
      if (key === undefined || held === undefined) return undefined
      // The owner is the held manifest's: checked when it was stored (our own, or fetched by capability).
      const { owner } = await verify(decodeEnvelope(held), 'manifest')
      return formatCapability(Buffer.from(fileIdHex, 'hex'), key, owner)
    }
  })
}

/** The daemon's node options with its services added (pairing when `pairing` is given). */
export function withDaemonServices<O extends object>(
  options: O,
  pairing?: PairingOptions
): O & Pick<CreateNodeOptions<{ shares: Shares; pairing?: NodePairing }>, 'services'> {
  const services = {
    shares: sharesService,
    ...(pairing !== undefined ? { pairing: pairingService(pairing) } : {})
  }
  return { ...options, services } as O &
    Pick<CreateNodeOptions<{ shares: Shares; pairing?: NodePairing }>, 'services'>
}
