// Suites: which scenarios run, for how long, on which data set, and whether the gate decides the exit
// code. `--config FILE` reads the same shape from JSON (bench/config/*.json).
import { readFileSync } from 'node:fs'
import type { PresetName } from '../db/seed/bench-data'

export type Suite = {
  name: string
  /** Scenario names, in run order within a cache mode; omitted: all. */
  scenarios?: string[]
  warmupS: number
  durationS: number
  baselineWarmupS: number
  baselineDurationS: number
  /**
   * Rounds of (ceiling, scenario) slices after a scenario with a ceiling baseline, the order
   * alternating (an even count balances it); 0: none.
   */
  pairedRounds: number
  pairedSliceS: number
  preset: PresetName
  /** Exit non-zero when a scenario is below a floor of bench/thresholds.json. */
  gate: boolean
}

export const SUITES: Record<string, Suite> = {
  full: {
    name: 'full',
    warmupS: 5,
    durationS: 20,
    baselineWarmupS: 3,
    baselineDurationS: 10,
    pairedRounds: 6,
    pairedSliceS: 3,
    preset: 'small',
    gate: false,
  },
  // About 1–2 minutes on the small preset; lookup-redis and name-search are left to the full suite.
  ci: {
    name: 'ci',
    scenarios: [
      'lookup-lru',
      'lookup-unknown',
      'barcode-search',
      'product-list',
      'receipt-create',
      'shift-mix',
      'lookup-nocache',
      'lookup-1000-clients',
    ],
    warmupS: 3,
    durationS: 8,
    baselineWarmupS: 2,
    baselineDurationS: 5,
    pairedRounds: 4,
    pairedSliceS: 2,
    preset: 'small',
    gate: true,
  },
}

export function loadSuiteFile(file: string): Suite {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Partial<Suite>
  const base = SUITES[raw.name ?? ''] ?? SUITES.ci
  if (!base) throw new Error('no base suite')
  return { ...base, ...raw, name: raw.name ?? file }
}
