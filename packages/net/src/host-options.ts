import type { PrivateKey } from '@libp2p/interface'
import type { Libp2pInit } from 'libp2p'
import type { IndexBroadcastInit } from './index-broadcast.ts'
import type { MisbehaviorHook } from './misbehavior.ts'
import type { ShardProtocolInit } from './shard-protocol.ts'

/** Transports a host can listen and dial on. `memory` is in-process only (tests). */
/** `websockets` is the one a browser can dial (and the only one that loads there). */
export type TransportName = 'tcp' | 'quic' | 'memory' | 'websockets'

export interface BootstrapOptions {
  /** Multiaddrs (ending in `/p2p/<peer id>`) dialled on start to join the network. */
  peers: string[]
  /** This node is a bootstrap node: a DHT server that also hands out peers (gossipsub PX). */
  isBootstrapNode?: boolean
}

/** Resource bounds of the host. Every one is set; none is left at "unlimited". */
export interface HostLimits {
  /** Open connections before the connection manager prunes. */
  maxConnections: number
  /** Milliseconds a dial (resolution, socket, upgrade) may take. */
  dialTimeout: number
  /** Inbound connections still upgrading at once. */
  maxIncomingPendingConnections: number
  /** Inbound connections one IP may open per second. */
  inboundConnectionsPerSecond: number
  /** Multiplexed streams per connection, each way (yamux, QUIC). */
  maxStreamsPerConnection: number
  /** Bytes buffered per stream before the muxer resets it (read and write side). */
  maxStreamBufferBytes: number
  /** Milliseconds a stream may stay silent before it is reset. */
  streamInactivityTimeout: number
  /** Networks (multiaddrs like `/ip4/10.0.0.0/ipcidr/8`) exempt from the inbound limits. */
  allow: string[]
  /** How long a peer that broke a cap stays refused (connection gater). */
  banMs: number
}

export const defaultHostLimits: HostLimits = {
  maxConnections: 300,
  dialTimeout: 10_000,
  maxIncomingPendingConnections: 10,
  inboundConnectionsPerSecond: 5,
  maxStreamsPerConnection: 256,
  maxStreamBufferBytes: 4 * 1024 * 1024,
  streamInactivityTimeout: 60_000,
  allow: [],
  banMs: 600_000
}

/** NAT traversal: all off by default. */
export interface NatOptions {
  /** Serve as a circuit relay v2 for other peers (limited reservations). */
  relayServer?: boolean
  /** Dial and listen through relays; also listens on `/p2p-circuit` to take a reservation. */
  relayClient?: boolean
  /** Upgrade relayed connections to direct ones (DCUtR). Needs `relayClient`. */
  holePunching?: boolean
  /** Ask peers to confirm which of our addresses are dialable (AutoNAT). */
  autoNat?: boolean
}

export interface HostOptions {
  /** Transports to listen and dial on. Default `['tcp']`. */
  transports?: TransportName[]
  /** Interface to listen on for TCP and QUIC. Default `0.0.0.0`; tests pass `127.0.0.1`. */
  host?: string
  /** TCP (and QUIC UDP) port. Default 0: the OS picks one; read it from `getMultiaddrs()`. */
  port?: number
  /** WebSocket port (on `host`) when `transports` has `websockets`. Default 0: the OS picks one. */
  wsPort?: number
  /** Name of the in-process memory address (`/memory/<name>`) when `transports` has `memory`. */
  memoryAddress?: string
  /** Listen multiaddrs; when set they replace those derived from host, port and memoryAddress. */
  listen?: string[]
  /** Addresses announced to peers instead of the listen addresses. */
  announce?: string[]
  /** The node's identity (Ed25519). A new one is generated when absent. */
  privateKey?: PrivateKey
  /** Where DHT records and the peer store persist. In memory when absent. */
  datastore?: Libp2pInit['datastore']
  bootstrap?: BootstrapOptions
  /** Shorthand for `limits.maxConnections`. */
  maxConnections?: number
  /** Shorthand for `limits.dialTimeout`. */
  dialTimeout?: number
  limits?: Partial<HostLimits>
  nat?: NatOptions
  /** DHT protocol id; DeFS peers use their own DHT, not the public IPFS one. */
  dhtProtocol?: string
  /**
   * Keep private and loopback addresses in DHT answers (a LAN, a devnet, tests). Default false:
   * on the internet they only send dials nowhere.
   */
  privateAddresses?: boolean
  /** Kademlia k: bucket size, and how many closest peers keep each provider record. Default 20. */
  dhtReplication?: number
  /** `server` answers DHT queries (default); `client` only asks (a node behind NAT). */
  dhtMode?: 'server' | 'client'
  /** libp2p's own metrics (connections, streams, bytes by protocol), e.g. `prometheusMetrics()`. */
  metrics?: Libp2pInit['metrics']
  /** The shard protocol: the store to serve from, its caps and hooks (see ShardProtocolInit). */
  shards?: ShardProtocolInit
  /** The index broadcast: what this node holds and answers for (default: the shard store's files). */
  index?: IndexBroadcastInit
  /** Told when any peer breaks a cap or the protocol (shard and index services), to lower its score. */
  onPeerMisbehaved?: MisbehaviorHook
}

export function resolveLimits(options: HostOptions): HostLimits {
  const limits: HostLimits = { ...defaultHostLimits, ...options.limits }
  if (options.maxConnections !== undefined) limits.maxConnections = options.maxConnections
  if (options.dialTimeout !== undefined) limits.dialTimeout = options.dialTimeout
  for (const key of Object.keys(limits) as Array<keyof HostLimits>) {
    const value = limits[key]
    if (typeof value === 'number' && !(Number.isFinite(value) && value > 0)) {
      throw new RangeError(`limits.${key} must be a positive finite number, got ${value}`)
    }
  }
  return limits
}

/** The multiaddrs a host listens on, from its options. */
export function listenAddresses(options: HostOptions, transports: TransportName[]): string[] {
  const addrs = [...(options.listen ?? defaultListen(options, transports))]
  if (options.nat?.relayClient === true && !addrs.includes('/p2p-circuit')) addrs.push('/p2p-circuit')
  return addrs
}

function defaultListen(options: HostOptions, transports: TransportName[]): string[] {
  const host = options.host ?? '0.0.0.0'
  const port = options.port ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`port must be an integer 0..65535, got ${port}`)
  }
  const family = host.includes(':') ? 'ip6' : 'ip4'
  const addrs: string[] = []
  for (const transport of transports) {
    if (transport === 'tcp') addrs.push(`/${family}/${host}/tcp/${port}`)
    else if (transport === 'quic') addrs.push(`/${family}/${host}/udp/${port}/quic-v1`)
    else if (transport === 'websockets') addrs.push(`/${family}/${host}/tcp/${wsPortOf(options)}/ws`)
    else if (options.memoryAddress !== undefined) addrs.push(`/memory/${options.memoryAddress}`)
  }
  return addrs
}

function wsPortOf(options: HostOptions): number {
  const port = options.wsPort ?? 0
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`wsPort must be an integer 0..65535, got ${port}`)
  }
  return port
}
