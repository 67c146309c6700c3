// --help text: citty renders it with colours; they stay only on a terminal that wants them
// (https://no-color.org: NO_COLOR set to anything turns them off), never in a file or a pipe.
import { stripVTControlCharacters } from 'node:util'

export function wantsColour(
  out: { isTTY?: boolean } = process.stdout,
  env: NodeJS.ProcessEnv = process.env
): boolean {
  return out.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb'
}

export function usageText(rendered: string, colour = wantsColour()): string {
  return colour ? rendered : stripVTControlCharacters(rendered)
}
