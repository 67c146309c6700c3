import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { networkGroupOf } from '@defs/kbucket'

function expectGroup(group: string | undefined, addresses: string[]): void {
  for (const address of addresses) assert.equal(networkGroupOf(address), group, address)
}

describe('networkGroupOf', () => {
  it('groups IPv4 by /24 in every address form', () => {
    expectGroup('ip4:203.0.113.0/24', [
      '203.0.113.7',
      '203.0.113.200:4001',
      '/ip4/203.0.113.9/tcp/4001',
      '::ffff:203.0.113.1'
    ])
    assert.equal(networkGroupOf('203.0.114.7'), 'ip4:203.0.114.0/24')
    assert.equal(networkGroupOf('10.1.2.3'), 'ip4:10.1.2.0/24')
  })

  it('groups IPv6 by /48, normalised', () => {
    expectGroup('ip6:2001:db8:1::/48', [
      '2001:db8:1::5',
      '2001:0DB8:0001:ffff::1',
      '[2001:db8:1::9]:4001',
      '/ip6/2001:db8:1:2::3/udp/4001/quic-v1',
      '2001:db8:1:0:0:0:0:1',
      '2001:db8:1::1.2.3.4'
    ])
    assert.equal(networkGroupOf('2001:db8:2::5'), 'ip6:2001:db8:2::/48')
  })

  it('gives loopback, unspecified and link-local addresses no group', () => {
    expectGroup(undefined, [
      '127.0.0.1',
      '127.8.9.1:4001',
      '/ip4/127.0.0.1/tcp/1',
      '0.0.0.0',
      '169.254.1.1',
      '::1',
      '[::1]:4001',
      '::',
      'fe80::1%eth0',
      '::ffff:127.0.0.1'
    ])
  })

  it('gives names and malformed addresses no group', () => {
    expectGroup(undefined, [
      '',
      'example.com',
      'example.com:4001',
      '/dns4/example.com/tcp/1',
      '1.2.3',
      '1.2.3.256',
      '1.2.3.4.5',
      '2001:db8::1::2',
      '2001:db8:1:2:3:4:5:6:7',
      '12345::1',
      '[2001:db8::1',
      '2001:db8::1.2.3.999'
    ])
  })
})
