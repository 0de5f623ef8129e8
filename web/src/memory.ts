// Institutional memory (docs/panel.md): facts and uploaded documents the expert panel reads.
// Types of the API (aliases of the OpenAPI document's schemas) and the pure helpers of the Memory
// page. Route functions are in panelApi.ts.
import type { Schema } from './api/client'

export const MEMORY_PERMISSION = {
  read: 'knowledge:read',
  write: 'knowledge:write',
} as const

/** From the OpenAPI document (`FactOut`, `FactIn`, `DocumentOut`, ...). */
export type Fact = Schema<'FactOut'>

export type FactIn = Schema<'FactIn'>

export type MemoryMediaType = Schema<'DocumentOut'>['media_type']

export type MemoryDocument = Schema<'DocumentOut'>

export type DocumentChunk = Schema<'ChunkOut'>

export type MemoryDocumentDetail = Schema<'DocumentDetail'>

export type SearchHit = Schema<'SearchHit'>

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

// ---- facts ------------------------------------------------------------------------------------

export const FACT_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,119}$/
export const MAX_FACT_VALUE = 4000
export const MAX_FACT_CITATION = 500

/** Errors by field (`key`, `value`, `citation`), as the server would answer them. */
export type FactErrors = Partial<Record<keyof FactIn, string>>

export function factErrors(f: FactIn): FactErrors {
  const errors: FactErrors = {}
  const key = f.key.trim()
  if (key === '') errors.key = 'Key is required'
  else if (!FACT_KEY_PATTERN.test(key))
    errors.key = 'Use lowercase letters, digits, dots, dashes or underscores (starting with a letter or digit), at most 120 characters'
  const value = f.value.trim()
  if (value === '') errors.value = 'Value is required'
  else if (value.length > MAX_FACT_VALUE) errors.value = `At most ${MAX_FACT_VALUE.toLocaleString('en-US')} characters`
  const citation = f.citation.trim()
  if (citation === '') errors.citation = 'Citation is required'
  else if (citation.length > MAX_FACT_CITATION) errors.citation = `At most ${MAX_FACT_CITATION} characters`
  return errors
}

/** The trimmed body to send; editing (`initial` given), only the fields that changed. */
export function factBody(f: FactIn, initial?: FactIn): Partial<FactIn> {
  const next: FactIn = { key: f.key.trim(), value: f.value.trim(), citation: f.citation.trim() }
  if (!initial) return next
  const patch: Partial<FactIn> = {}
  for (const k of ['key', 'value', 'citation'] as const) if (next[k] !== initial[k]) patch[k] = next[k]
  return patch
}

/** A 422's `errors` (`[{location: "body.key", message}]`) by fact field. */
export function serverFactErrors(errors: readonly { location?: string; message?: string }[] | undefined): FactErrors {
  const out: FactErrors = {}
  for (const e of errors ?? []) {
    const field = e.location?.replace(/^body\./, '')
    if ((field === 'key' || field === 'value' || field === 'citation') && e.message) out[field] = e.message
  }
  return out
}

// ---- documents --------------------------------------------------------------------------------

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
export const DOCUMENT_ACCEPT = '.txt,.md,.markdown,.pdf'
const DOCUMENT_EXTENSIONS = ['.txt', '.md', '.markdown', '.pdf']

export const MEDIA_TYPE_LABEL: Record<MemoryMediaType, string> = {
  'text/plain': 'Text',
  'text/markdown': 'Markdown',
  'application/pdf': 'PDF',
}

/** Why a file cannot be uploaded, or null. */
export function documentFileError(file: { name: string; size: number } | null): string | null {
  if (!file) return 'Choose a file to upload'
  const name = file.name.toLowerCase()
  if (!DOCUMENT_EXTENSIONS.some((ext) => name.endsWith(ext))) return 'Only text (.txt), Markdown (.md, .markdown) or PDF files'
  if (file.size === 0) return 'The file is empty'
  if (file.size > MAX_DOCUMENT_BYTES) return 'The file is larger than 10 MB'
  return null
}

export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—'
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`
  return `${(n / (1024 * 1024)).toFixed(1)} MB`
}

/** The filename of a `Content-Disposition` header (RFC 6266, `filename*` first), or null. */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header)
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim())
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header)
  return plain?.[1]?.trim() ?? null
}
