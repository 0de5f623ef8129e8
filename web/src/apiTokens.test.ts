import { describe, expect, it } from 'vitest'
import { claudeCodeCommand, claudeDesktopConfig, mcpUrl, tokenState, type ApiToken } from './apiTokens'

const token: ApiToken = {
  id: 't-1',
  name: 'Claude Desktop',
  prefix: 'drx_pat_abcd',
  scope: 'read',
  owner_email: 'me@acme.test',
  created_at: '2026-01-01T00:00:00Z',
  expires_at: '2026-04-01T00:00:00Z',
  last_used_at: null,
  revoked_at: null,
}

describe('apiTokens', () => {
  it('names the MCP endpoint of the origin, without a doubled slash', () => {
    expect(mcpUrl('https://draxis.example/')).toBe('https://draxis.example/api/mcp')
  })

  it('writes a Claude Desktop config whose header carries the token', () => {
    const config = JSON.parse(claudeDesktopConfig('https://draxis.example', 'drx_pat_secret'))
    const server = config.mcpServers.draxis
    expect(server.args).toContain('https://draxis.example/api/mcp')
    expect(server.args).toContain('Authorization:${DRAXIS_AUTH}')
    expect(server.env.DRAXIS_AUTH).toBe('Bearer drx_pat_secret')
  })

  it('writes the Claude Code command for streamable HTTP', () => {
    expect(claudeCodeCommand('https://draxis.example', 'drx_pat_secret')).toBe(
      'claude mcp add --transport http draxis https://draxis.example/api/mcp --header "Authorization: Bearer drx_pat_secret"',
    )
  })

  it('tells active, revoked and expired tokens apart', () => {
    const now = new Date('2026-02-01T00:00:00Z')
    expect(tokenState(token, now)).toBe('active')
    expect(tokenState({ ...token, revoked_at: '2026-01-15T00:00:00Z' }, now)).toBe('revoked')
    expect(tokenState(token, new Date('2026-05-01T00:00:00Z'))).toBe('expired')
  })
})
