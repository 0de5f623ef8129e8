import { describe, expect, it } from 'vitest'
import { fieldErrors, groupCatalog, initialFieldValues, splitFieldValues } from './integrations'
import { parseErrors } from './integrationsApi'
import { catalog, demo, okta, source } from './test/integrationFixtures'

describe('integrations helpers', () => {
  it('groups the catalog in page order, demo with the vendor APIs', () => {
    expect(groupCatalog(catalog).map((g) => [g.title, g.entries.map((e) => e.vendor_id)])).toEqual([
      ['Vendor APIs', ['demo', 'okta', 'tenable-io']],
      ['Push', ['external-push']],
      ['File upload', ['artifact']],
      ['Manual entry', ['manual']],
    ])
    const tprm = { ...demo, vendor_id: 'tprm', display_name: 'Third-party risk', source_type: 'tprm' }
    expect(groupCatalog([...catalog, tprm]).map((g) => g.title).at(-1)).toBe('Computed by Draxis')
    expect(groupCatalog([])).toEqual([])
  })

  it('starts secrets empty, config from the source or the defaults', () => {
    expect(initialFieldValues(okta.config_fields)).toEqual({ org_url: '', api_token: '', region: 'us', page_size: '200' })
    expect(initialFieldValues(okta.config_fields, source())).toEqual({ org_url: 'https://acme.okta.com', api_token: '', region: 'eu', page_size: '200' })
  })

  it('checks required, https and whole numbers; a stored secret may stay empty', () => {
    const values = { org_url: 'http://x', api_token: '', region: 'us', page_size: '1.5' }
    expect(fieldErrors(okta.config_fields, values)).toEqual({
      'config.org_url': 'must be an https:// URL',
      'credentials.api_token': 'API token is required',
      'config.page_size': 'must be a whole number',
    })
    expect(fieldErrors(okta.config_fields, { ...values, org_url: 'https://a.test', page_size: '' }, ['api_token'])).toEqual({})
  })

  it('sends every field on create, only changes and typed secrets on edit', () => {
    const values = { org_url: 'https://a.test', api_token: ' tok ', region: 'us', page_size: '50' }
    expect(splitFieldValues(okta.config_fields, values)).toEqual({
      config: { org_url: 'https://a.test', region: 'us', page_size: 50 },
      credentials: { api_token: 'tok' },
    })
    const initial = { ...values, api_token: '' }
    expect(splitFieldValues(okta.config_fields, { ...initial, region: 'eu' }, initial)).toEqual({ config: { region: 'eu' }, credentials: {} })
  })

  it('parses every shape of a 422 `errors`', () => {
    expect(parseErrors({ 'config.org_url': 'must be an https:// URL' })).toEqual({ fields: { 'config.org_url': 'must be an https:// URL' }, rows: [] })
    expect(parseErrors([{ location: 'body.name', message: 'too short' }])).toEqual({ fields: { name: 'too short' }, rows: [] })
    expect(parseErrors([{ row: 3, column: 'value', message: 'not a number' }, { row: 4, column: null, message: 'empty row' }])).toEqual({
      fields: {},
      rows: [
        { row: 3, column: 'value', message: 'not a number' },
        { row: 4, column: null, message: 'empty row' },
      ],
    })
    expect(parseErrors(undefined)).toEqual({ fields: {}, rows: [] })
  })
})
