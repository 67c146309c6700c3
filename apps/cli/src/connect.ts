// Finds the daemon a client command talks to: --api/--token, else DEFS_API/DEFS_TOKEN, else the
// daemon.json and api-token of the node directory (--dir, DEFS_DIR, ~/.defs). A command that acts
// for a user adds their session: --session, else DEFS_SESSION.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { readApiToken, readDaemonConfig } from '@defs/daemon'
import { ApiClient } from './client.ts'
import { UserError } from './user-error.ts'

export interface ConnectionFlags {
  api?: string
  token?: string
  dir?: string
  /** A user session (defs login), for the commands that act for a user (see connectAsUser). */
  session?: string
}

export function nodeDirectory(dir: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(dir ?? (env.DEFS_DIR || join(homedir(), '.defs')))
}

/** The client of a command that may act for a user: with their session when one is given. */
export function connectAsUser(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env
): Promise<ApiClient> {
  return connect(flags, env, flags.session ?? (env.DEFS_SESSION || undefined))
}

export async function connect(
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv = process.env,
  session?: string
): Promise<ApiClient> {
  // An empty variable counts as unset, as shells make it easy to export one by accident.
  let url = flags.api ?? (env.DEFS_API || undefined)
  let token = flags.token ?? (env.DEFS_TOKEN || undefined)
  if (url === undefined || token === undefined) {
    const dir = nodeDirectory(flags.dir, env)
    if (url === undefined) {
      const config = await readDaemonConfig(dir)
      if (config === undefined) {
        throw new UserError(
          `no daemon configured in ${dir}: run \`defs init\` and \`defs start\`, or pass --api and --token`
        )
      }
      const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host
      url = `http://${host}:${config.api.port}`
    }
    if (token === undefined) {
      token = await readApiToken(dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT')
          throw new UserError(`no API token in ${dir} (api-token); pass --token or DEFS_TOKEN`)
        throw err
      })
    }
  }
  if (!/^https?:\/\/[^/]+/.test(url))
    throw new UserError(`--api must be a URL like http://127.0.0.1:7420, got ${JSON.stringify(url)}`)
  if (session !== undefined && !/^[\w-]{43}$/.test(session))
    throw new UserError('--session (or DEFS_SESSION) must be the token defs login printed')
  return new ApiClient({ url, token, ...(session !== undefined ? { session } : {}) })
}
