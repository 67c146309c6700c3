// The mirror as a node service: @defs/mirror's MirrorService over the node's host, its meta and
// shard stores, and its own directory <dir>/mirror/ (state and sealed blobs, written atomically).
// It serves `/defs/mirror/1` for the users this node is home or mirror of, and syncs the users it
// mirrors every mirrorInterval.
import { join } from 'node:path'
import { decodePublicKey, fromHex } from '@defs/crypto'
import { type MirrorComponents, MirrorService, type MirrorServiceInit } from '@defs/mirror'

export { DEFAULT_MIRROR_INTERVAL_MS, DEFAULT_MIRROR_RETRY_MS } from '@defs/mirror'

import type { NodeComponents } from '../components.ts'
import type { ServiceFactory } from '../services.ts'
import { nodeMirrorContent } from './content.ts'
import { diskBlobStore, diskStateStore } from './disk-stores.ts'

/** The mirror service every node has (one of createNode's BuiltInServices). */
export interface MirrorServices {
  mirror: MirrorService
}

export type MirrorTimings = Pick<
  MirrorServiceInit,
  'intervalMs' | 'retryMs' | 'homeTimeoutMs' | 'requestTimeoutMs' | 'onProgress'
>

/** The libp2p parts MirrorService uses, from the node's host. */
function hostComponents(c: NodeComponents): MirrorComponents {
  const host = c.host
  return {
    peerId: host.peerId,
    registrar: {
      handle: (protocol, handler, options) => host.handle(protocol, handler, options),
      unhandle: (protocol) => host.unhandle(protocol)
    },
    connectionManager: {
      openStream: (peer, protocol, options) => host.dialProtocol(peer, protocol, options),
      closeConnections: (peer, options) => host.hangUp(peer, options)
    }
  }
}

export function mirrorNodeService(timings: MirrorTimings = {}): ServiceFactory<MirrorService> {
  return {
    create(c) {
      const dir = join(c.dir.root, 'mirror')
      return new MirrorService(hostComponents(c), {
        ...timings,
        state: diskStateStore(join(dir, 'state')),
        content: nodeMirrorContent(c, diskBlobStore(join(dir, 'blobs')))
      })
    }
  }
}

/** The node's mirror service (every node has one, whatever services it was given). */
export function mirrorOf(node: { readonly services: object }): MirrorService {
  const mirror = (node.services as Partial<MirrorServices>).mirror
  if (!(mirror instanceof MirrorService)) throw new TypeError('this node has no mirror service')
  return mirror
}

/**
 * The users (ids) whose files this node keeps as their mirror: mirrored here and not at home
 * here (a user who moved home to this node is no longer mirrored by it). Empty without the service.
 */
export async function mirroredUsers(services: object): Promise<ReadonlySet<string>> {
  const mirror = (services as Partial<MirrorServices>).mirror
  const out = new Set<string>()
  if (!(mirror instanceof MirrorService)) return out
  for (const { user } of mirror.status()) {
    if (!(await mirror.records.isHome(decodePublicKey(fromHex(user))))) out.add(user)
  }
  return out
}
