// What the net benchmarks share: test shards, and a raw libp2p stream beside the shard
// protocol (same noise + yamux connection, nothing but a byte count on the far side).
import { generateSigningKey, randomBytes, sha256 } from '@defs/crypto'
import { type Host, sendBytes } from '@defs/net'
import { type ShardHeader, shardHeaderOf, signShardHeader } from '@defs/segment'
import type { PeerId, Stream } from '@libp2p/interface'

export const RAW_PROTOCOL = '/defs-bench/raw/1'

/** Host options for a bench host on 127.0.0.1 that dials and accepts loopback only. */
export const loopback = {
  host: '127.0.0.1',
  privateAddresses: true,
  limits: { allow: ['/ip4/127.0.0.1/ipcidr/32'] }
}

export interface Shard {
  id: Uint8Array
  header: ShardHeader
  bytes: Uint8Array
}

const benchOwner = await generateSigningKey()

export async function shardOf(size: number): Promise<Shard> {
  const bytes = randomBytes(size)
  const id = await sha256(bytes)
  const fields = { fileId: randomBytes(16), slice: 0, index: 0, dataShards: 10, parityShards: 4 }
  return { id, header: await signShardHeader(benchOwner, id, shardHeaderOf(fields, bytes)), bytes }
}

/** The far side of the raw stream: count the bytes, answer with the count when the sender closes. */
export async function countBytes(stream: Stream): Promise<void> {
  let n = 0
  for await (const chunk of stream) n += chunk.byteLength
  const reply = new Uint8Array(8)
  new DataView(reply.buffer).setFloat64(0, n)
  stream.send(reply)
  await stream.close()
}

export async function rawSend(from: Host, to: PeerId, bytes: Uint8Array): Promise<number> {
  const stream = await from.dialProtocol(to, RAW_PROTOCOL)
  for (let at = 0; at < bytes.byteLength; at += 256 * 1024) {
    await sendBytes(stream, bytes.subarray(at, Math.min(bytes.byteLength, at + 256 * 1024)))
  }
  await stream.close()
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(chunk.subarray())
  const reply = Buffer.concat(chunks)
  return new DataView(reply.buffer, reply.byteOffset, 8).getFloat64(0)
}
