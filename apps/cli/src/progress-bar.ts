// A one-line progress bar on stderr for long transfers: bytes done of total, current rate and
// time left. Drawn only on a terminal; piped or redirected, the CLI prints nothing extra.
import { formatBytes, formatDuration, formatRate } from './format.ts'

export interface ProgressSink {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

/** Frames at most this often, so a fast transfer does not spend its time drawing. */
const frameMs = 100
/** The rate is taken over this much recent time: the current speed, not the average since start. */
const rateWindowMs = 3000

export class ProgressBar {
  readonly #out: ProgressSink | undefined
  readonly #label: string
  #total: number | undefined
  readonly #now: () => number
  readonly #started: number
  readonly #samples: { t: number; bytes: number }[] = []
  #bytes = 0
  #lastFrame = 0
  #finished = false

  constructor(
    label: string,
    total: number | undefined,
    out: ProgressSink | undefined,
    now: () => number = Date.now
  ) {
    this.#out = out?.isTTY ? out : undefined
    this.#label = label
    this.#total = total
    this.#now = now
    this.#started = now()
  }

  get active(): boolean {
    return this.#out !== undefined
  }

  /** For transfers whose size is known only once they start (downloads). */
  setTotal(total: number): void {
    this.#total = total
  }

  /** Bytes done so far; never moves backwards. */
  update(bytes: number): void {
    if (bytes <= this.#bytes || this.#finished) return
    this.#bytes = bytes
    const t = this.#now()
    this.#samples.push({ t, bytes })
    while (this.#samples.length > 2 && this.#samples[0]!.t < t - rateWindowMs) this.#samples.shift()
    if (this.#out !== undefined && t - this.#lastFrame >= frameMs) {
      this.#lastFrame = t
      this.#out.write(`\r${this.line()}\x1b[K`)
    }
  }

  /** Bytes per second over the last few seconds. */
  rate(): number {
    const first = this.#samples[0]
    const last = this.#samples.at(-1)
    if (first === undefined || last === undefined || last.t === first.t) {
      const elapsed = (this.#now() - this.#started) / 1000
      return elapsed > 0 ? this.#bytes / elapsed : 0
    }
    return ((last.bytes - first.bytes) * 1000) / (last.t - first.t)
  }

  /**
   * The bar's line, never wider than the terminal less one column (a full-width line wraps on
   * some terminals): the bar shrinks first, then the ETA, the rate and the bar go, then the label
   * is cut.
   */
  line(): string {
    const rate = this.rate()
    const total = this.#total
    const width = Math.max(1, (this.#out?.columns ?? 80) - 1)
    const done =
      total === undefined ? formatBytes(this.#bytes) : `${formatBytes(this.#bytes)} / ${formatBytes(total)}`
    const fraction = total !== undefined && total > 0 ? Math.min(1, this.#bytes / total) : undefined
    const percent = fraction === undefined ? undefined : `${(fraction * 100).toFixed(0).padStart(3)}%`
    const eta =
      total !== undefined && rate > 0 && this.#bytes < total
        ? `ETA ${formatDuration(((total - this.#bytes) / rate) * 1000)}`
        : undefined
    const compose = (barWidth: number, withRate: boolean, withEta: boolean, label = this.#label) => {
      const parts = [label]
      if (fraction !== undefined && barWidth > 0) {
        const filled = Math.round(fraction * barWidth)
        parts.push(`[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${percent}`)
      } else if (percent !== undefined) parts.push(percent.trim())
      parts.push(done)
      if (withRate) parts.push(formatRate(rate))
      if (withEta && eta !== undefined) parts.push(eta)
      return parts.join('  ')
    }
    const full = compose(30, true, true)
    // The widest bar (10 to 30 cells) that leaves the line within the terminal.
    const room = Math.min(30, 30 - (full.length - width))
    if (room >= 10) return compose(room, true, true)
    for (const [withRate, withEta] of [
      [true, true],
      [true, false],
      [false, false]
    ] as const) {
      const text = compose(0, withRate, withEta)
      if (text.length <= width) return text
    }
    // The label goes last, cut from the end; the numbers are what a narrow terminal keeps.
    const rest = compose(0, false, false, '').length
    const label = width - rest >= 4 ? `${this.#label.slice(0, width - rest - 1)}…` : ''
    return compose(0, false, false, label).trimStart().slice(0, width)
  }

  /** Clears the bar; the caller prints its own summary line after. */
  finish(): void {
    if (this.#finished) return
    this.#finished = true
    this.#out?.write('\r\x1b[K')
  }
}

/** A "doing X ..." line on a terminal while work without byte counts runs; returns its eraser. */
export function pendingLine(text: string, out: ProgressSink | undefined): () => void {
  if (!out?.isTTY) return () => {}
  out.write(`${text} ...`)
  return () => out.write('\r\x1b[K')
}
