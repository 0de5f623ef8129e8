import { useState } from 'react'
import { useQuery, useQueryClient } from '@tanstack/react-query'
import {
  claudeCodeCommand,
  claudeDesktopConfig,
  createToken,
  DEFAULT_DAYS,
  listOwnTokens,
  listTenantTokens,
  MAX_DAYS,
  mcpUrl,
  revokeOwnToken,
  revokeTenantToken,
  SCOPE_LABEL,
  tokenState,
  type ApiToken,
  type CreatedToken,
  type TokenScope,
} from '../apiTokens'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { CopyButton } from '../components/CopyButton'
import { CreateForm } from '../components/CreateForm'
import { useBulkActions } from '../components/BulkActions'
import { api } from '../api/client'
import { DataTable, useRowAction } from '../components/DataTable'
import { dangerButton, SelectField, TextField } from '../components/form'
import { formatDate, Page, Section, Subsection } from '../components/Page'
import { ProblemAlert } from '../components/ProblemAlert'
import { QueryResult } from '../components/QueryResult'
import { PERMISSION } from '../identity'
import { usePermissions } from '../me'
import type { Session } from '../session'

const SCOPES = [
  { value: 'read' as const, label: 'Read' },
  { value: 'read_write' as const, label: 'Read + write' },
]

function Snippet({ label, text, testId }: { label: string; text: string; testId: string }) {
  return (
    <div className="space-y-1.5">
      <div className="flex items-center justify-between gap-3">
        <p className="text-sm font-medium text-slate-700">{label}</p>
        <CopyButton text={text} label={`Copy ${label}`} />
      </div>
      <pre data-testid={testId} className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs text-slate-100">
        {text}
      </pre>
    </div>
  )
}

/** The one-time reveal: the token, and ready-to-paste MCP configurations that carry it. */
function Reveal({ created, onDone }: { created: CreatedToken; onDone: () => void }) {
  const origin = window.location.origin
  return (
    <div role="status" data-testid="token-reveal" className="space-y-4 rounded-lg border border-amber-300 bg-amber-50 p-4">
      <p className="text-sm font-semibold text-amber-900">
        Copy your token now: it is shown only once. Draxis keeps only a hash of it.
      </p>
      <Snippet label="token" text={created.token} testId="token-value" />
      <p className="text-sm text-slate-700">
        MCP endpoint: <code>{mcpUrl(origin)}</code>
      </p>
      <Snippet label="Claude Desktop config" text={claudeDesktopConfig(origin, created.token)} testId="claude-desktop" />
      <Snippet label="Claude Code command" text={claudeCodeCommand(origin, created.token)} testId="claude-code" />
      <button type="button" onClick={onDone} className="text-sm font-medium text-sky-700 hover:underline">
        I have stored it
      </button>
    </div>
  )
}

function stateText(t: ApiToken): string {
  const state = tokenState(t)
  if (state === 'revoked') return `Revoked ${formatDate(t.revoked_at)}`
  if (state === 'expired') return `Expired ${formatDate(t.expires_at)}`
  return `Expires ${formatDate(t.expires_at)}`
}

function TokensTable({
  tokens,
  withOwner,
  onRevoke,
  onBulkRevoke,
  testId,
}: {
  tokens: ApiToken[]
  withOwner: boolean
  onRevoke: (t: ApiToken) => Promise<void>
  /** Revoke the selected tokens in one request (all or none). */
  onBulkRevoke: (ids: string[]) => Promise<void>
  testId: string
}) {
  const { busy, error, run } = useRowAction()
  const bulk = useBulkActions<ApiToken>([
    {
      label: 'Revoke selected',
      danger: true,
      title: (rows) => `Revoke ${rows.length} ${rows.length === 1 ? 'token' : 'tokens'}?`,
      confirmLabel: 'Revoke all',
      describe: (rows) => `Scripts and assistants using ${rows.map((t) => `“${t.name}”`).join(', ')} stop working at once.`,
      run: (rows) => onBulkRevoke(rows.map((t) => t.id)),
      skip: (t) => tokenState(t) !== 'active',
    },
  ])
  const [revoking, setRevoking] = useState<ApiToken | null>(null)
  return (
    <DataTable
      rows={tokens}
      rowTestId={testId}
      rowAttributes={(t) => ({ 'data-state': tokenState(t) })}
      empty="No tokens yet."
      above={(error || bulk.alert) && (
        <>
          {error && <ProblemAlert error={error} />}
          {bulk.alert}
        </>
      )}
      bulkActions={bulk.actions}
      rowLabel={(t) => t.name}
      columns={[
        { header: 'Name', className: 'font-medium', cell: (t) => t.name },
        withOwner && { header: 'Owner', className: 'text-slate-600', cell: (t) => t.owner_email ?? '—' },
        { header: 'Token', cell: (t) => <code className="text-xs">{t.prefix}…</code> },
        { header: 'Scope', cell: (t) => SCOPE_LABEL[t.scope] },
        { header: 'Created', className: 'text-slate-600', cell: (t) => formatDate(t.created_at) },
        { header: 'Last used', className: 'text-slate-600', cell: (t) => (t.last_used_at ? formatDate(t.last_used_at) : 'Never') },
        { header: 'Status', className: 'text-slate-600', cell: (t) => stateText(t) },
        {
          header: 'Actions',
          hideHeader: true,
          className: 'whitespace-nowrap text-right',
          cell: (t) =>
            tokenState(t) === 'active' && (
              <button type="button" disabled={busy === t.id} onClick={() => setRevoking(t)} className={dangerButton}>
                Revoke
              </button>
            ),
        },
      ]}
      below={
        bulk.dialog ||
        (revoking && (
          <ConfirmDialog
            title={`Revoke “${revoking.name}”?`}
            confirmLabel="Revoke token"
            pending={busy === revoking.id}
            onCancel={() => setRevoking(null)}
            onConfirm={() => {
              const token = revoking
              void run(token, () => onRevoke(token)).then(() => setRevoking(null))
            }}
          >
            Scripts and assistants using {revoking.prefix}… stop working at once.
          </ConfirmDialog>
        ))
      }
    />
  )
}

/** `/settings/api-tokens`: personal access tokens for scripts and MCP clients. */
export function ApiTokensPage({ session }: { session: Session }) {
  const queryClient = useQueryClient()
  const permissions = usePermissions()
  const tenantAdmin = permissions?.has(PERMISSION.tenantUsersManage) ?? false
  const ownKey = ['api-tokens', session.user.id]
  const tenantKey = ['tenant-api-tokens', session.user.tenant_id]
  const own = useQuery({ queryKey: ownKey, queryFn: ({ signal }) => listOwnTokens(signal) })
  const tenant = useQuery({
    queryKey: tenantKey,
    queryFn: ({ signal }) => listTenantTokens(signal),
    enabled: tenantAdmin,
  })
  const [name, setName] = useState('')
  const [scope, setScope] = useState<TokenScope>('read')
  const [days, setDays] = useState(String(DEFAULT_DAYS))
  const [created, setCreated] = useState<CreatedToken | null>(null)

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ownKey })
    await queryClient.invalidateQueries({ queryKey: tenantKey })
  }

  return (
    <Page title="API tokens" eyebrow="Settings">
      <Section
        title="Your tokens"
        description="A token acts as you, with your role capped by its scope, for scripts (the REST API) and AI assistants (the MCP server). Send it as Authorization: Bearer <token>."
      >
        {created && <Reveal created={created} onDone={() => setCreated(null)} />}
        <QueryResult query={own} loading="Loading tokens…">
          {(data) => (
            <TokensTable
              tokens={data}
              withOwner={false}
              testId="token-row"
              onRevoke={async (t) => {
                await revokeOwnToken(t.id)
                await refresh()
              }}
              onBulkRevoke={async (ids) => {
                await api.POST('/api/me/tokens/bulk-revoke', { body: { ids } })
                await refresh()
              }}
            />
          )}
        </QueryResult>
        <Subsection title="Create a token">
          <CreateForm
            label="Create a token"
            submitLabel="Create token"
            pendingLabel="Creating…"
            onSubmit={async () => {
              const made = await createToken({ name: name.trim(), scope, expires_in_days: Number(days) })
              setCreated(made)
              setName('')
              await refresh()
            }}
          >
            <TextField label="Name" value={name} onChange={setName} placeholder="Claude Desktop" maxLength={100} required />
            <SelectField label="Scope" value={scope} options={SCOPES} onChange={setScope} />
            <TextField
              label="Expires in (days)"
              type="number"
              min={1}
              max={MAX_DAYS}
              value={days}
              onChange={setDays}
              hint={`At most ${MAX_DAYS} days.`}
            />
          </CreateForm>
        </Subsection>
      </Section>
      {tenantAdmin && (
        <Section title="Your tenant's tokens" description="Every token of your tenant's users; revoke any that should no longer work.">
          <QueryResult query={tenant} loading="Loading tokens…">
            {(data) => (
              <TokensTable
                tokens={data}
                withOwner
                testId="tenant-token-row"
                onRevoke={async (t) => {
                  await revokeTenantToken(t.id)
                  await refresh()
                }}
                onBulkRevoke={async (ids) => {
                  await api.POST('/api/tenant/tokens/bulk-revoke', { body: { ids } })
                  await refresh()
                }}
              />
            )}
          </QueryResult>
        </Section>
      )}
    </Page>
  )
}
