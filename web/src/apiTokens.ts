// Personal access tokens (`/api/me/tokens`, `/api/tenant/tokens`) and the MCP client snippets
// that use one. The token's plaintext exists only in the create answer: shown once, never stored.
import { answer, api, done, type Schema } from './api/client'

export type TokenScope = Schema<'TokenScope'>

/** From the OpenAPI document (`TokenOut`, `CreatedToken`). */
export type ApiToken = Schema<'TokenOut'>
export type CreatedToken = Schema<'CreatedToken'>

export const SCOPE_LABEL: Record<TokenScope, string> = { read: 'Read', read_write: 'Read + write' }
export const DEFAULT_DAYS = 90
export const MAX_DAYS = 365

const token = (id: string) => ({ params: { path: { token_id: id } } })

export async function listOwnTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  return answer(await api.GET('/api/me/tokens', { signal }))
}

export async function createToken(body: { name: string; scope: TokenScope; expires_in_days: number }): Promise<CreatedToken> {
  return answer(await api.POST('/api/me/tokens', { body }))
}

export function revokeOwnToken(id: string): Promise<void> {
  return done(api.DELETE('/api/me/tokens/{token_id}', token(id)))
}

export async function listTenantTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  return answer(await api.GET('/api/tenant/tokens', { signal }))
}

export function revokeTenantToken(id: string): Promise<void> {
  return done(api.DELETE('/api/tenant/tokens/{token_id}', token(id)))
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
