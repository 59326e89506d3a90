// Sums bun's JUnit reports (plus the pass/fail counts of the non-test checks) into the closing
// line "N passed, N failed" (skipped tests counted on the line before); exits 1 when anything failed or a report is missing.
import { existsSync, readFileSync } from 'node:fs'

const [checksPassed = '0', checksFailed = '0', ...reports] = process.argv.slice(2)
let passed = Number(checksPassed)
let failed = Number(checksFailed)
let skipped = 0
for (const file of reports) {
  if (!existsSync(file)) {
    console.error(`missing test report ${file}: the test run crashed`)
    failed += 1
    continue
  }
  const xml = readFileSync(file, 'utf8')
  for (const match of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const inner = match[2] ?? ''
    if (/<(failure|error)\b/.test(inner)) failed += 1
    else if (/<skipped\b/.test(inner)) skipped += 1
    else passed += 1
  }
}
if (skipped) console.log(`${skipped} skipped (PostgreSQL-only tests in the embedded run)`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
