// Every HTTP call of the web client goes through src/api/ (http.ts holds the one `fetch`; the typed
// client and the session's one token-and-refresh logic sit on top). This check, run by `npm test`,
// fails when any other source file calls `fetch(` itself. Tests may stub `fetch`; they are skipped.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const src = fileURLToPath(new URL('../src', import.meta.url))
const allowed = join(src, 'api') + sep
const testFile = /\.test\.tsx?$|[\\/]test[\\/]/
// A call of the global fetch: not `.fetch(` (a method), `refetch(` or `prefetch(` (other names).
const call = /(^|[^\w.$])fetch\s*\(/

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* sources(path)
    else if (/\.(ts|tsx)$/.test(name) && !name.endsWith('.d.ts')) yield path
  }
}

const offenders = []
for (const path of sources(src)) {
  if (path.startsWith(allowed) || testFile.test(path)) continue
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '')
      if (call.test(code)) offenders.push(`${relative(src, path)}:${i + 1}: ${line.trim()}`)
    })
}
if (offenders.length > 0) {
  console.error('fetch( outside web/src/api/ (use the typed client, src/api/client.ts, or authedFetch):')
  for (const o of offenders) console.error(`  ${o}`)
  process.exit(1)
}
console.log('check-fetch: no fetch( outside web/src/api/')
