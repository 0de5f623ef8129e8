// Personal access tokens (`/api/me/tokens`, `/api/tenant/tokens`) and the MCP client snippets
// that use one. The token's plaintext exists only in the create answer: shown once, never stored.
import { authedRequest } from './session'

export type TokenScope = 'read' | 'read_write'

export interface ApiToken {
  id: string
  name: string
  prefix: string
  scope: TokenScope
  owner_email: string | null
  created_at: string
  expires_at: string
  last_used_at: string | null
  revoked_at: string | null
}

export interface CreatedToken extends ApiToken {
  token: string
}

export const SCOPE_LABEL: Record<TokenScope, string> = { read: 'Read', read_write: 'Read + write' }
export const DEFAULT_DAYS = 90
export const MAX_DAYS = 365

const enc = encodeURIComponent

export function listOwnTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  return authedRequest<ApiToken[]>('/api/me/tokens', { signal })
}

export function createToken(body: { name: string; scope: TokenScope; expires_in_days: number }): Promise<CreatedToken> {
  return authedRequest<CreatedToken>('/api/me/tokens', { method: 'POST', body })
}

export function revokeOwnToken(id: string): Promise<void> {
  return authedRequest<void>(`/api/me/tokens/${enc(id)}`, { method: 'DELETE' })
}

export function listTenantTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  return authedRequest<ApiToken[]>('/api/tenant/tokens', { signal })
}

export function revokeTenantToken(id: string): Promise<void> {
  return authedRequest<void>(`/api/tenant/tokens/${enc(id)}`, { method: 'DELETE' })
}

/** Live, revoked or expired, as of `now`. */
export function tokenState(t: ApiToken, now: Date = new Date()): 'active' | 'revoked' | 'expired' {
  if (t.revoked_at) return 'revoked'
  return new Date(t.expires_at) <= now ? 'expired' : 'active'
}

/** The MCP endpoint of the Draxis at `origin`. */
export function mcpUrl(origin: string): string {
  return `${origin.replace(/\/+$/, '')}/api/mcp`
}

/**
 * `claude_desktop_config.json`: Claude Desktop reaches a remote server that wants a bearer token
 * through the `mcp-remote` bridge; the header is passed through an environment variable so that
 * the argument has no space in it.
 */
export function claudeDesktopConfig(origin: string, token: string): string {
  const config = {
    mcpServers: {
      draxis: {
        command: 'npx',
        args: ['-y', 'mcp-remote', mcpUrl(origin), '--header', 'Authorization:${DRAXIS_AUTH}'],
        env: { DRAXIS_AUTH: `Bearer ${token}` },
      },
    },
  }
  return JSON.stringify(config, null, 2)
}

/** The one command that adds Draxis to Claude Code (streamable HTTP, bearer header). */
export function claudeCodeCommand(origin: string, token: string): string {
  return `claude mcp add --transport http draxis ${mcpUrl(origin)} --header "Authorization: Bearer ${token}"`
}
