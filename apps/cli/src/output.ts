// Where command output goes: data on stdout (text or --json), nothing else there, so a pipe
// gets exactly what it asked for.

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`)
}

/** Notes for the person at the terminal (progress, hints): stderr, so pipes stay clean. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`)
}
