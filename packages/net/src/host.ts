import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNAT } from '@libp2p/autonat'
import { bootstrap } from '@libp2p/bootstrap'
import { type CircuitRelayService, circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { type GossipSub, gossipsub } from '@libp2p/gossipsub'
import { type Identify, identify } from '@libp2p/identify'
import type { Libp2p } from '@libp2p/interface'
import { type KadDHT, kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { type Ping, ping } from '@libp2p/ping'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import type { ServiceComponents } from './components.ts'
import { MANIFEST_NAMESPACE, selectManifestRecord, validateManifestRecord } from './file-routing.ts'
import {
  type HostLimits,
  type HostOptions,
  listenAddresses,
  resolveLimits,
  type TransportName
} from './host-options.ts'
import { type IndexBroadcast, indexBroadcast } from './index-broadcast.ts'
import { noiseInit } from './noise-crypto.ts'
import { PAIRING_NAMESPACE, selectPairingRecord, validatePairingRecord } from './pairing-routing.ts'
import { PeerBans } from './peer-bans.ts'
import { type ShardProtocol, shardProtocol } from './shard-protocol.ts'

/** The DHT of DeFS peers, apart from the public IPFS DHT. */
export const DHT_PROTOCOL = '/defs/kad/1.0.0'

// a type alias (not an interface) so it satisfies libp2p's ServiceMap index signature
export type HostServices = {
  identify: Identify
  ping: Ping
  dht: KadDHT
  pubsub: GossipSub
  shards: ShardProtocol
  index: IndexBroadcast
  /** Peers refused for breaking a cap (the connection gater reads it). */
  bans: PeerBans
  relay?: CircuitRelayService
  dcutr?: unknown
  autoNat?: unknown
}

/** A started libp2p node with the DeFS services (and `S`, the caller's own, by name). */
export type Host<S extends Record<string, unknown> = Record<never, never>> = Libp2p<HostServices & S>

/**
 * Factories of more services to run on the host (an L3 protocol, say), each given the libp2p
 * components (`ServiceComponents` and the other services by name), as libp2p's own services are.
 */
export type ServiceFactories<S extends Record<string, unknown>> = {
  [K in keyof S]: (components: ServiceComponents & Record<string, unknown>) => S[K]
}

/**
 * Start a libp2p 3 node: TCP by default (QUIC and in-process memory as options), noise, yamux,
 * identify, ping, Kademlia DHT and gossipsub, every connection and stream limit set.
 */
export async function createHost<S extends Record<string, unknown> = Record<never, never>>(
  options: HostOptions & { services?: ServiceFactories<S> } = {}
): Promise<Host<S>> {
  const limits = resolveLimits(options)
  const transports = options.transports ?? ['tcp']
  if (transports.length === 0) throw new RangeError('transports must name at least one transport, got []')
  const nat = options.nat ?? {}
  const isBootstrapNode = options.bootstrap?.isBootstrapNode === true
  const bootstrapPeers = options.bootstrap?.peers ?? []

  const bans = new PeerBans({ banMs: limits.banMs })
  const services = {
    identify: identify({ maxInboundStreams: 4, maxOutboundStreams: 4 }),
    ping: ping({ maxInboundStreams: 4, maxOutboundStreams: 4 }),
    dht: kadDHT({
      protocol: options.dhtProtocol ?? DHT_PROTOCOL,
      kBucketSize: options.dhtReplication ?? 20,
      clientMode: options.dhtMode === 'client',
      peerInfoMapper: options.privateAddresses === true ? passthroughMapper : removePrivateAddressesMapper,
      maxInboundStreams: 32,
      maxOutboundStreams: 64,
      validators: {
        [MANIFEST_NAMESPACE]: validateManifestRecord,
        [PAIRING_NAMESPACE]: validatePairingRecord
      },
      selectors: { [MANIFEST_NAMESPACE]: selectManifestRecord, [PAIRING_NAMESPACE]: selectPairingRecord }
    }),
    pubsub: gossipsub({
      doPX: isBootstrapNode,
      allowPublishToZeroTopicPeers: true,
      maxInboundStreams: 4,
      maxOutboundStreams: 4,
      maxInboundDataLength: 64 * 1024,
      maxOutboundBufferSize: 4 * 1024 * 1024,
      // many peers on one loopback address are local test nodes, not a sybil attack
      ...(options.privateAddresses === true
        ? { scoreParams: { IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']) } }
        : {})
    }),
    shards: shardProtocol({ onPeerMisbehaved: options.onPeerMisbehaved, bans, ...options.shards }),
    bans: (components: ServiceComponents) => {
      bans.onBan((peer) => components.connectionManager.closeConnections(peer))
      return bans
    },
    index: indexBroadcast({
      store: options.shards?.store,
      onPeerMisbehaved: options.onPeerMisbehaved ?? options.shards?.onPeerMisbehaved,
      ...options.index
    }),
    ...(nat.relayServer === true ? { relay: circuitRelayServer({ maxInboundHopStreams: 32 }) } : {}),
    ...(nat.holePunching === true ? { dcutr: dcutr() } : {}),
    ...(nat.autoNat === true ? { autoNat: autoNAT() } : {}),
    ...options.services
  }

  const init: Libp2pOptions<HostServices & S> = {
    addresses: {
      listen: listenAddresses(options, transports),
      ...(options.announce !== undefined ? { announce: options.announce } : {})
    },
    transports: [
      ...(await Promise.all(transports.map((t) => transportFactory(t, limits)))),
      ...(nat.relayClient === true ? [circuitRelayTransport({ maxInboundStopStreams: 64 })] : [])
    ],
    connectionEncrypters: [noise(noiseInit)],
    streamMuxers: [
      yamux({
        maxInboundStreams: limits.maxStreamsPerConnection,
        maxOutboundStreams: limits.maxStreamsPerConnection,
        maxEarlyStreams: 64,
        streamOptions: {
          inactivityTimeout: limits.streamInactivityTimeout,
          maxReadBufferLength: limits.maxStreamBufferBytes,
          maxWriteBufferLength: limits.maxStreamBufferBytes
        }
      })
    ],
    connectionManager: {
      maxConnections: limits.maxConnections,
      dialTimeout: limits.dialTimeout,
      maxIncomingPendingConnections: limits.maxIncomingPendingConnections,
      inboundConnectionThreshold: limits.inboundConnectionsPerSecond,
      allow: limits.allow
    },
    // Banned peers are refused at the handshake. In browsers libp2p also refuses to dial private
    // addresses and plain ws:// unless told: a devnet on loopback has nothing else (on Node that
    // is already the default).
    connectionGater:
      options.privateAddresses === true ? { ...bans.gater, denyDialMultiaddr: () => false } : bans.gater,
    peerDiscovery: bootstrapPeers.length > 0 ? [bootstrap({ list: bootstrapPeers, timeout: 0 })] : [],
    services: services as Libp2pOptions<HostServices & S>['services']
  }
  if (options.privateKey !== undefined) init.privateKey = options.privateKey
  if (options.metrics !== undefined) init.metrics = options.metrics
  if (options.datastore !== undefined) init.datastore = options.datastore

  const node = await createLibp2p<HostServices & S>(init)
  if (options.dhtMode !== 'client') await node.services.dht.setMode('server')
  return node
}

// Each transport is loaded when asked for: TCP and QUIC need Node's sockets (QUIC a native
// module), so a browser bundle that asks only for websockets never evaluates them.
async function transportFactory(name: TransportName, limits: HostLimits) {
  if (name === 'tcp') {
    const { tcp } = await import('@libp2p/tcp')
    return tcp({
      maxConnections: limits.maxConnections,
      inboundSocketInactivityTimeout: limits.streamInactivityTimeout * 2,
      outboundSocketInactivityTimeout: limits.streamInactivityTimeout * 2
    })
  }
  if (name === 'quic') {
    const { quic } = await import('@chainsafe/libp2p-quic')
    return quic({ maxConcurrentStreamLimit: limits.maxStreamsPerConnection })
  }
  if (name === 'memory') return (await import('@libp2p/memory')).memory()
  if (name === 'websockets') return (await import('@libp2p/websockets')).webSockets()
  throw new RangeError(`transport must be tcp, quic, memory or websockets, got ${String(name)}`)
}
