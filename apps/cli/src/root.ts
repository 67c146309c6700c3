// The `defs` command and its subcommands, one per file, loaded only when used so that
// `defs --help` and `defs status` do not load the node and libp2p.
import { defineCommand } from 'citty'
import { cliVersion } from './version.ts'

export { cliVersion as version } from './version.ts'

export const root = defineCommand({
  meta: {
    name: 'defs',
    version: cliVersion,
    description: 'DeFS: a decentralized, encrypted, erasure-coded file store'
  },
  subCommands: {
    init: () => import('./commands/init.ts').then((m) => m.default),
    start: () => import('./commands/start.ts').then((m) => m.default),
    stop: () => import('./commands/stop.ts').then((m) => m.default),
    status: () => import('./commands/status.ts').then((m) => m.default),
    dashboard: () => import('./commands/dashboard.ts').then((m) => m.default),
    put: () => import('./commands/put.ts').then((m) => m.default),
    get: () => import('./commands/get.ts').then((m) => m.default),
    cat: () => import('./commands/cat.ts').then((m) => m.default),
    share: () => import('./commands/share.ts').then((m) => m.default),
    ls: () => import('./commands/ls.ts').then((m) => m.default),
    rm: () => import('./commands/rm.ts').then((m) => m.default),
    check: () => import('./commands/check.ts').then((m) => m.default),
    peers: () => import('./commands/peers.ts').then((m) => m.default),
    tasks: () => import('./commands/tasks.ts').then((m) => m.default),
    maintenance: () => import('./commands/maintenance.ts').then((m) => m.default),
    user: () => import('./commands/user.ts').then((m) => m.default),
    login: () => import('./commands/login.ts').then((m) => m.default),
    mirror: () => import('./commands/mirror.ts').then((m) => m.default),
    pair: () => import('./commands/pair.ts').then((m) => m.default),
    config: () => import('./commands/config.ts').then((m) => m.default),
    version: () => import('./commands/version.ts').then((m) => m.default),
    completion: () => import('./commands/completion.ts').then((m) => m.default),
    devnet: () => import('./commands/devnet.ts').then((m) => m.default),
    demo: () => import('./commands/demo.ts').then((m) => m.default)
  }
})
