// The links of a testbed: a bridge in a namespace of its own, and one veth pair per host slot
// from that bridge into the host's namespace (or into its NAT's namespace, with a second pair
// from the NAT to the host). Links are made inside the namespaces, never in the root one, and
// no namespace gets a default route: nothing in a testbed can reach any other network.
import { bridgePrefix, privateAddresses, publicAddress, publicNetwork } from './addresses.ts'
import { inNamespace, ipBatch, run } from './commands.ts'
import { faultTable, natTable } from './nft-rules.ts'

export interface SlotPlan {
  index: number
  /** The namespace the daemon runs in. */
  namespace: string
  /** Its NAT's namespace, when the host sits behind one. */
  natNamespace?: string
}

export async function addNamespace(name: string): Promise<void> {
  await run('ip', ['netns', 'add', name])
  await ipBatch(name, ['link set lo up'])
}

export async function createBridge(namespace: string): Promise<void> {
  await addNamespace(namespace)
  await ipBatch(namespace, ['link add br0 type bridge', 'link set br0 up'])
}

/** Wires one host slot to the bridge; the host's interface toward the network is always eth0. */
export async function attachSlot(bridge: string, slot: SlotPlan): Promise<void> {
  const i = slot.index
  const pub = publicAddress(i)
  await addNamespace(slot.namespace)
  const first = slot.natNamespace ?? slot.namespace
  if (slot.natNamespace !== undefined) await addNamespace(slot.natNamespace)
  await ipBatch(bridge, [
    `link add p${i} type veth peer name eth0 netns ${first}`,
    `link set p${i} master br0`,
    `link set p${i} up`
  ])
  await ipBatch(first, [`addr add ${pub}/${bridgePrefix} dev eth0`, 'link set eth0 up'])
  if (slot.natNamespace === undefined) {
    await inNamespace(slot.namespace, 'nft', ['-f', '-'], faultTable)
    return
  }
  const nat = slot.natNamespace
  const inside = privateAddresses(i)
  await ipBatch(nat, [
    `link add lan0 type veth peer name eth0 netns ${slot.namespace}`,
    `addr add ${inside.gateway}/24 dev lan0`,
    'link set lan0 up'
  ])
  // Only the testbed's own network is routed, through the NAT: still no default route.
  await ipBatch(slot.namespace, [
    `addr add ${inside.host}/24 dev eth0`,
    'link set eth0 up',
    `route add ${publicNetwork} via ${inside.gateway}`
  ])
  await inNamespace(nat, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1'])
  await inNamespace(nat, 'nft', ['-f', '-'], natTable)
  await inNamespace(slot.namespace, 'nft', ['-f', '-'], faultTable)
}
