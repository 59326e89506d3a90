// A dependency-free SVG chart: a bar per scenario and baseline for req/s (left axis), and markers
// for p50 / p95 / p99 latency (right axis, ms). Skipped scenarios get an empty, labelled slot.
import type { Latency, Report } from '../types'

type Item = {
  label: string
  reqPerSec: number | null
  latency: Latency | null
  kind: 'scenario' | 'baseline'
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** A round axis maximum above `x` (1, 2 or 5 × 10^k). */
export function niceMax(x: number): number {
  if (x <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p
  return 10 * p
}

export function svgChart(r: Report): string {
  const items: Item[] = [
    ...r.scenarios.map((s) => ({
      label: s.status === 'ok' ? s.name : `${s.name} (${s.status})`,
      reqPerSec: s.result?.reqPerSec ?? null,
      latency: s.result?.latencyMs ?? null,
      kind: 'scenario' as const,
    })),
    ...r.baselines.map((b) => ({
      label: b.name,
      reqPerSec: b.reqPerSec,
      latency: b.latencyMs,
      kind: 'baseline' as const,
    })),
  ]
  const slot = 56
  const left = 70
  const right = 70
  const top = 50
  const plotH = 300
  const width = left + right + Math.max(1, items.length) * slot
  const height = top + plotH + 150
  const maxRps = niceMax(Math.max(1, ...items.map((i) => i.reqPerSec ?? 0)))
  const maxMs = niceMax(Math.max(1, ...items.map((i) => i.latency?.p99 ?? 0)))
  const y = (v: number, max: number) => top + plotH - (v / max) * plotH
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14" font-weight="bold">${esc(`Benchmark ${r.suite} — ${r.startedAt}`)}</text>`,
    `<text x="${left}" y="36" fill="#555">bars: req/s (left) · markers: latency ms (right): ○ p50 ◆ p95 ▲ p99</text>`,
  ]
  for (let k = 0; k <= 4; k++) {
    const yy = top + (plotH * k) / 4
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${yy}" y2="${yy}" stroke="#eee"/>`)
    parts.push(
      `<text x="${left - 6}" y="${yy + 4}" text-anchor="end">${Math.round((maxRps * (4 - k)) / 4).toLocaleString('en')}</text>`,
    )
    parts.push(`<text x="${width - right + 6}" y="${yy + 4}">${((maxMs * (4 - k)) / 4).toFixed(1)}</text>`)
  }
  parts.push(
    `<text x="14" y="${top + plotH / 2}" transform="rotate(-90 14 ${top + plotH / 2})" text-anchor="middle">req/s</text>`,
  )
  parts.push(
    `<text x="${width - 14}" y="${top + plotH / 2}" transform="rotate(90 ${width - 14} ${top + plotH / 2})" text-anchor="middle">latency, ms</text>`,
  )
  items.forEach((it, i) => {
    const x = left + i * slot + slot / 2
    if (it.reqPerSec !== null) {
      const yy = y(it.reqPerSec, maxRps)
      const fill = it.kind === 'baseline' ? '#b0bec5' : '#4e79a7'
      parts.push(
        `<rect x="${x - 16}" y="${yy}" width="32" height="${top + plotH - yy}" fill="${fill}"><title>${esc(`${it.label}: ${Math.round(it.reqPerSec)} req/s`)}</title></rect>`,
      )
    }
    if (it.latency) {
      const l = it.latency
      parts.push(
        `<circle cx="${x}" cy="${y(l.p50, maxMs)}" r="4" fill="none" stroke="#e15759" stroke-width="2"><title>p50 ${l.p50} ms</title></circle>`,
      )
      const y95 = y(l.p95, maxMs)
      parts.push(
        `<path d="M${x} ${y95 - 5} L${x + 5} ${y95} L${x} ${y95 + 5} L${x - 5} ${y95} Z" fill="#f28e2b"><title>p95 ${l.p95} ms</title></path>`,
      )
      const y99 = y(l.p99, maxMs)
      parts.push(
        `<path d="M${x} ${y99 - 5} L${x + 5} ${y99 + 4} L${x - 5} ${y99 + 4} Z" fill="#76b7b2"><title>p99 ${l.p99} ms</title></path>`,
      )
    }
    const ly = top + plotH + 10
    parts.push(
      `<text x="${x}" y="${ly}" transform="rotate(50 ${x} ${ly})" fill="${it.kind === 'baseline' ? '#666' : '#000'}">${esc(it.label)}</text>`,
    )
  })
  parts.push(
    `<line x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}" stroke="#333"/>`,
  )
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
