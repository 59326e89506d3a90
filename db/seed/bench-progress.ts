// A progress bar on stderr for long loads: redrawn in place on a terminal, one line per 10 % otherwise
// (CI logs), so stdout stays free for machine-readable output.
export type Progress = { phase(name: string, total: number): void; tick(n: number): void; done(): void }

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY)
  let name = ''
  let total = 1
  let current = 0
  let startedAt = 0
  let lastDraw = 0
  let lastDecile = -1
  const width = 30

  const draw = (final: boolean) => {
    const ratio = Math.min(1, current / total)
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1)
    const filled = Math.round(ratio * width)
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`
    const line = `${name.padEnd(38)} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}% ${current.toLocaleString('en')}/${total.toLocaleString('en')} ${seconds}s`
    if (tty) stream.write(`\r${line}${final ? '\n' : ''}`)
    else {
      const decile = Math.floor(ratio * 10)
      if (decile !== lastDecile || final) stream.write(`${line}\n`)
      lastDecile = decile
    }
  }

  const finish = () => {
    if (name && startedAt) draw(true)
    name = ''
  }

  return {
    phase(next, n) {
      finish()
      name = next
      total = Math.max(1, n)
      current = 0
      startedAt = performance.now()
      lastDecile = -1
      draw(false)
    },
    tick(n) {
      current += n
      const now = performance.now()
      if (now - lastDraw > 100 || current >= total) {
        lastDraw = now
        if (current >= total) finish()
        else draw(false)
      }
    },
    done: finish,
  }
}
