import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { nodeOptionsFromFlags, parseByteSize } from '../src/node-flags.ts'

describe('node flags', () => {
  it('turns flags into node options', () => {
    assert.deepEqual(
      nodeOptionsFromFlags({
        port: '0',
        bootstrap: ['/ip4/127.0.0.1/tcp/1/p2p/A,/ip4/127.0.0.1/tcp/2/p2p/B'],
        mode: 'rs-proportion',
        'data-shards': '4',
        'parity-shards': '2',
        'max-storage': '1GiB',
        nat: 'relay-client, hole-punching,auto-nat',
        'mirror-interval': '5'
      }),
      {
        port: 0,
        bootstrap: ['/ip4/127.0.0.1/tcp/1/p2p/A', '/ip4/127.0.0.1/tcp/2/p2p/B'],
        storageMode: 'rs-proportion',
        dataShards: 4,
        parityShards: 2,
        maxStorage: 2 ** 30,
        nat: { relayClient: true, holePunching: true, autoNat: true },
        mirrorInterval: 5000
      }
    )
    assert.deepEqual(nodeOptionsFromFlags({}), {})
  })

  it('names the flag and the value it refuses', () => {
    assert.throws(() => nodeOptionsFromFlags({ port: '70000' }), {
      name: 'FlagError',
      message: /--port .*70000/
    })
    assert.throws(() => nodeOptionsFromFlags({ 'data-shards': 'x' }), { message: /--data-shards/ })
    assert.throws(() => nodeOptionsFromFlags({ 'mirror-interval': '1m' }), {
      name: 'FlagError',
      message: /--mirror-interval .*1m/
    })
    assert.throws(() => nodeOptionsFromFlags({ nat: 'relay-client,upnp' }), {
      name: 'FlagError',
      message: /--nat takes relay-server, relay-client, hole-punching, auto-nat .*"upnp"/
    })
  })

  it('parses byte sizes with decimal and binary units', () => {
    assert.equal(parseByteSize('4096'), 4096)
    assert.equal(parseByteSize('64MiB'), 64 * 2 ** 20)
    assert.equal(parseByteSize('10 GB'), 10e9)
    assert.equal(parseByteSize('1.5k'), 1500)
    assert.throws(() => parseByteSize('ten'), { name: 'FlagError' })
    assert.throws(() => parseByteSize('5 parsecs'), { name: 'FlagError' })
  })
})
