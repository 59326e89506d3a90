// Sums bun's JUnit reports (plus the non-test checks: how many passed, the failed ones' names one per
// line) into the closing line "N passed, N failed"; exits 1 when anything failed or a report is
// missing. Failed tests and checks are named just above it, so a CI log that keeps only its tail
// still says what broke.
import { existsSync, readFileSync } from 'node:fs'

const [checksPassed = '0', failedChecks = '', ...reports] = process.argv.slice(2)
const failures = failedChecks ? failedChecks.split('\n').map((name) => `check: ${name}`) : []
let passed = Number(checksPassed)
let failed = failures.length
let skipped = 0
const xmlText = (text: string) =>
  text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

for (const file of reports) {
  if (!existsSync(file)) {
    failures.push(`missing test report ${file}: the test run crashed`)
    failed += 1
    continue
  }
  const xml = readFileSync(file, 'utf8')
  const run = file.replace(/^.*\//, '').replace(/\.xml$/, '')
  for (const match of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const attributes = match[1] ?? ''
    const inner = match[3] ?? ''
    const problem = /<(failure|error)\b([^>]*)/.exec(inner)
    if (problem) {
      failed += 1
      const attr = (name: string) => xmlText(new RegExp(`\\b${name}="([^"]*)"`).exec(attributes)?.[1] ?? '')
      const message = xmlText(/message="([^"]*)"/.exec(problem[2] ?? '')?.[1] ?? '').split('\n')[0]
      failures.push(
        `${run}: ${attr('file')}:${attr('line')} ${attr('classname')} > ${attr('name')}${message ? ` — ${message}` : ''}`,
      )
    } else if (/<skipped\b/.test(inner)) skipped += 1
    else passed += 1
  }
}
for (const line of failures) console.log(`FAILED ${line}`)
if (skipped) console.log(`${skipped} skipped (PostgreSQL-only tests in the embedded run)`)
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
