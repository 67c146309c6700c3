// The slices of libp2p's components the DeFS services use, typed structurally so tests can hand
// in fakes and net needs no internal libp2p package.
import type {
  AbortOptions,
  ComponentLogger,
  PeerId,
  PrivateKey,
  Stream,
  StreamHandler,
  StreamHandlerOptions
} from '@libp2p/interface'

export interface ProtocolRegistrar {
  handle(protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
  unhandle(protocol: string): Promise<void>
}

export interface StreamOpener {
  openStream(
    peer: PeerId,
    protocol: string,
    options?: AbortOptions & { runOnLimitedConnection?: boolean }
  ): Promise<Stream>
}

/** libp2p's connection manager as services see it: open streams, drop a peer's connections. */
export interface ConnectionManager extends StreamOpener {
  closeConnections(peer: PeerId, options?: AbortOptions): Promise<void>
}

export interface ServiceComponents {
  peerId: PeerId
  privateKey: PrivateKey
  registrar: ProtocolRegistrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
}
