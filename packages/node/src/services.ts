// Long-lived parts added to a node as services (pairing, repair, mirror, maintenance): each is
// made by a factory from the node's components and the services it declares it depends on, is
// started after them and stopped before them. So a feature is a module of its own plus one entry
// in createNode's `services`, not another field on the node.
import type { NodeComponents } from './components.ts'

/** Start and stop hooks, both optional (a service may be a plain object of functions). */
export interface NodeService {
  start?(): void | Promise<void>
  stop?(): void | Promise<void>
}

export interface ServiceFactory<S = NodeService> {
  /** Names of the services this one needs, made and started before it. */
  readonly dependencies?: readonly string[]
  create(components: NodeComponents, services: Readonly<Record<string, unknown>>): S
}

export type ServiceFactories<S> = { [K in keyof S]: ServiceFactory<S[K]> }

export interface StartedServices<S> {
  readonly services: S
  /** Stops every started service, the last started first. */
  stop(): Promise<void>
}

/** Makes and starts the services in dependency order; on a failure, stops what started. */
export async function startServices<S extends object>(
  factories: ServiceFactories<S>,
  components: NodeComponents
): Promise<StartedServices<S>> {
  const order = startOrder(factories as Record<string, ServiceFactory<unknown>>)
  const made: Record<string, unknown> = {}
  const started: NodeService[] = []
  const stop = async (): Promise<void> => {
    for (const s of started.splice(0).reverse()) await s.stop?.()
  }
  try {
    for (const name of order) {
      const service = (factories as Record<string, ServiceFactory<unknown>>)[name]!.create(components, made)
      made[name] = service
      const startable = service as NodeService
      await startable.start?.()
      started.push(startable)
    }
  } catch (err) {
    await stop().catch(() => {})
    throw err
  }
  return { services: made as S, stop }
}

/** Names so that each comes after its dependencies; an unknown dependency or a cycle throws. */
export function startOrder(factories: Record<string, ServiceFactory<unknown>>): string[] {
  const order: string[] = []
  const state = new Map<string, 'visiting' | 'done'>()
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return
    if (state.get(name) === 'visiting') {
      throw new RangeError(`services depend on each other in a cycle: ${[...path, name].join(' -> ')}`)
    }
    const factory = factories[name]
    if (factory === undefined) {
      throw new RangeError(`service ${path.at(-1)} depends on ${name}, which the node was not given`)
    }
    state.set(name, 'visiting')
    for (const dep of factory.dependencies ?? []) visit(dep, [...path, name])
    state.set(name, 'done')
    order.push(name)
  }
  for (const name of Object.keys(factories)) visit(name, [])
  return order
}
