// One row per measurement: printed as an aligned table for people, or as one JSON object a line
// (`--json`) for scripts and CI history.

export type Row = Record<string, string | number>

export class Report {
  readonly rows: Row[] = []
  readonly json: boolean
  readonly suite: string

  constructor(suite: string, json: boolean) {
    this.suite = suite
    this.json = json
  }

  add(row: Row): void {
    const full = { suite: this.suite, ...row }
    this.rows.push(full)
    if (this.json) console.log(JSON.stringify(full))
  }

  /** A line that is not a measurement (a skipped peer, the machine): a comment in table mode, stderr in JSON mode. */
  note(text: string): void {
    if (this.json) console.error(text)
    else console.log(`# ${text}`)
  }

  printTable(columns: string[]): void {
    if (this.json || this.rows.length === 0) return
    const cell = (v: unknown): string => (typeof v === 'number' ? formatNumber(v) : String(v ?? ''))
    const widths = columns.map((c) => Math.max(c.length, ...this.rows.map((r) => cell(r[c]).length)))
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
    console.log(line(columns))
    console.log(line(widths.map((w) => '-'.repeat(w))))
    for (const r of this.rows) console.log(line(columns.map((c) => cell(r[c]))))
  }
}

function formatNumber(v: number): string {
  if (Number.isInteger(v)) return String(v)
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
}
