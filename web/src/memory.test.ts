import { describe, expect, it } from 'vitest'
import { dispositionFilename, documentFileError, factBody, factErrors, formatBytes, serverFactErrors } from './memory'

describe('factErrors', () => {
  it('checks the key pattern, and value and citation lengths', () => {
    expect(factErrors({ key: 'dora.register-owner_1', value: 'v', citation: 'c' })).toEqual({})
    expect(Object.keys(factErrors({ key: '', value: '', citation: '' }))).toEqual(['key', 'value', 'citation'])
    for (const bad of ['Upper', '.leading', 'has space', 'a'.repeat(121), 'ümlaut']) expect(factErrors({ key: bad, value: 'v', citation: 'c' }).key).toBeDefined()
    expect(factErrors({ key: 'a'.repeat(120), value: 'v', citation: 'c' })).toEqual({})
    expect(factErrors({ key: 'k', value: 'x'.repeat(4001), citation: 'c' }).value).toBe('At most 4,000 characters')
    expect(factErrors({ key: 'k', value: 'v', citation: 'x'.repeat(501) }).citation).toBe('At most 500 characters')
  })

  it('sends trimmed values; editing, only what changed', () => {
    expect(factBody({ key: ' k ', value: ' v ', citation: 'c' })).toEqual({ key: 'k', value: 'v', citation: 'c' })
    expect(factBody({ key: 'k', value: 'new', citation: 'c' }, { key: 'k', value: 'old', citation: 'c' })).toEqual({ value: 'new' })
  })

  it('maps a 422 to fields', () => {
    expect(serverFactErrors([{ location: 'body.key', message: 'bad key' }, { location: 'query.x', message: 'nope' }])).toEqual({ key: 'bad key' })
  })
})

describe('documents', () => {
  it('accepts text, Markdown and PDF up to 10 MB', () => {
    expect(documentFileError({ name: 'Policy.PDF', size: 10 })).toBeNull()
    expect(documentFileError({ name: 'notes.markdown', size: 10 })).toBeNull()
    expect(documentFileError(null)).toBe('Choose a file to upload')
    expect(documentFileError({ name: 'x.docx', size: 10 })).toMatch(/Only text/)
    expect(documentFileError({ name: 'x.txt', size: 0 })).toBe('The file is empty')
    expect(documentFileError({ name: 'x.txt', size: 10 * 1024 * 1024 + 1 })).toBe('The file is larger than 10 MB')
  })

  it('formats sizes and reads Content-Disposition', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(2048)).toBe('2.0 KB')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB')
    expect(dispositionFilename('attachment; filename="ir policy.pdf"')).toBe('ir policy.pdf')
    expect(dispositionFilename("attachment; filename=x.pdf; filename*=UTF-8''z%C3%BCrich.pdf")).toBe('zürich.pdf')
    expect(dispositionFilename(null)).toBeNull()
  })
})
