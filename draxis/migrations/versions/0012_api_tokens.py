"""API tokens: personal access tokens for scripts and agents, and push tokens as their kind.

`platform.api_token` holds both kinds of long-lived bearer credential, each only as the SHA-256
of a 32-byte random secret with a short prefix shown for recognition (issue 19):

- `personal`: a user's token (`drx_pat_...`), scope `read` or `read_write`, with an expiry (at
  most a year) and whether the session that created it had verified MFA. It acts as its user, in
  the user's home, with the role capped by the scope.
- `push`: a push source's token (`dxp_...`), scope `push`, good only for that source's push
  endpoint. The rows of `tenant.push_token` are copied here; the table stays, unread, until the
  release after this one drops it (the previous release reads it while both serve).

Rows are visible to their user and, for a tenant's tokens, to that tenant's scope (tenant admins
list and revoke them; the API checks the role). Inserting a personal token needs the caller to
be its user. The app may only set `revoked_at`; `last_used_at` is set by
`platform.api_token_touch` at most once a minute, so a busy token costs one UPDATE a minute.

`platform.api_token_principal` turns a hash into its token and user before any scope exists
(SECURITY DEFINER, owned by draxis_auth, executable by draxis_app only), like
`platform.session_state` does for sessions: liveness (not revoked, not expired, user active,
organization enabled, tenant not deleted) and the MFA rules that apply to the user.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
create table platform.api_token (
    id              uuid primary key default gen_random_uuid(),
    kind            text not null check (kind in ('personal', 'push')),
    user_id         uuid references platform.users (id) on delete cascade,
    tenant_id       uuid references platform.tenants (id),
    source_id       uuid,
    name            text not null check (length(name) between 1 and 100),
    scope           text not null check (scope in ('read', 'read_write', 'push')),
    token_hash      bytea not null unique check (length(token_hash) = 32),
    prefix          text not null check (length(prefix) between 4 and 20),
    mfa_verified    boolean not null default false,
    created_by      uuid references platform.users (id),
    created_at      timestamptz not null default now(),
    expires_at      timestamptz,
    last_used_at    timestamptz,
    revoked_at      timestamptz,
    constraint api_token_personal_shape check (kind <> 'personal' or (
        user_id is not null and source_id is null and scope in ('read', 'read_write')
        and expires_at is not null and expires_at <= created_at + interval '366 days')),
    constraint api_token_push_shape check (kind <> 'push' or (
        tenant_id is not null and source_id is not null and scope = 'push')),
    foreign key (tenant_id, source_id) references tenant.kri_source (tenant_id, id)
        on delete cascade
);
create unique index api_token_one_live_push on platform.api_token (tenant_id, source_id)
    where kind = 'push' and revoked_at is null;
create index api_token_user_idx on platform.api_token (user_id);
create index api_token_tenant_idx on platform.api_token (tenant_id);

alter table platform.api_token enable row level security;
alter table platform.api_token force row level security;
create policy api_token_read on platform.api_token for select
    using (user_id = (select platform.current_user_id())
           or tenant_id = (select platform.current_tenant_id()));
create policy api_token_revoke on platform.api_token for update
    using (user_id = (select platform.current_user_id())
           or tenant_id = (select platform.current_tenant_id()))
    with check (user_id = (select platform.current_user_id())
           or tenant_id = (select platform.current_tenant_id()));
create policy api_token_create on platform.api_token for insert
    with check ((kind = 'personal' and user_id = (select platform.current_user_id())
                 and tenant_id is not distinct from (select platform.current_tenant_id()))
                or (kind = 'push' and tenant_id = (select platform.current_tenant_id())));
create policy auth_functions on platform.api_token for all to draxis_auth
    using (true) with check (true);

insert into platform.api_token (kind, tenant_id, source_id, name, scope, token_hash, prefix,
                                created_by, created_at, revoked_at)
    select 'push', tenant_id, source_id, 'push source', 'push', token_hash, prefix, created_by,
           created_at, revoked_at
    from tenant.push_token;

grant select, insert, update (revoked_at) on platform.api_token to draxis_app;
grant select (id, kind, user_id, tenant_id, source_id, scope, token_hash, mfa_verified,
              expires_at, last_used_at, revoked_at),
      update (last_used_at)
    on platform.api_token to draxis_auth;

grant create on schema platform to draxis_auth;  -- creating functions needs it; revoked below
set role draxis_auth;
-- A push token to its live, enabled push source and the source's tenant (not deleted).
create or replace function platform.push_token_source(p_token_hash bytea)
    returns table (tenant_id uuid, organization_id uuid, source_id uuid)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select p.tenant_id, t.organization_id, p.source_id
        from platform.api_token p
        join tenant.kri_source s on s.tenant_id = p.tenant_id and s.id = p.source_id
        join platform.tenants t on t.id = p.tenant_id
        where p.token_hash = p_token_hash and p.kind = 'push' and p.revoked_at is null
          and s.enabled and s.source_type = 'external_push' and t.deleted_at is null
    $$;

-- A token's hash to the token and its user as they are now; no row for an unknown hash.
create function platform.api_token_principal(p_token_hash bytea)
    returns table (token_id uuid, kind text, scope text, source_id uuid, live boolean,
                   expires_at timestamptz, token_mfa_verified boolean, user_id uuid,
                   email text, role text, tenant_id uuid, organization_id uuid,
                   carrier_id uuid, mfa_enrolled boolean, rule_user boolean,
                   rule_tenant boolean, rule_org boolean, rule_platform boolean)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select a.id, a.kind, a.scope, a.source_id,
               a.revoked_at is null and a.expires_at > now() and u.is_active
                   and o.disabled_at is null and t.deleted_at is null
                   and a.tenant_id is not distinct from u.tenant_id,
               a.expires_at, a.mfa_verified, u.id, u.email, u.role, u.tenant_id,
               u.organization_id, u.carrier_id, u.mfa_enrolled_at is not null,
               (select p.required from platform.mfa_policy p where p.user_id = u.id),
               (select p.required from platform.mfa_policy p where p.tenant_id = u.tenant_id),
               (select p.required from platform.mfa_policy p
                 where p.level = 'organization' and p.organization_id = u.organization_id),
               (select p.required from platform.mfa_policy p where p.level = 'platform')
        from platform.api_token a
        left join platform.users u on u.id = a.user_id
        left join platform.organizations o on o.id = u.organization_id
        left join platform.tenants t on t.id = u.tenant_id
        where a.token_hash = p_token_hash
    $$;

-- Note a use at most once a minute; true when this is the token's first use ever.
create function platform.api_token_touch(p_token_id uuid)
    returns boolean
    language sql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
        update platform.api_token a set last_used_at = now()
        from (select id, last_used_at as previous from platform.api_token
              where id = p_token_id for update) p
        where a.id = p.id
          and (p.previous is null or p.previous < now() - interval '1 minute')
        returning p.previous is null
    $$;
grant execute on function platform.api_token_principal(bytea), platform.api_token_touch(uuid)
    to draxis_app;
reset role;
revoke create on schema platform from draxis_auth;
"""


def upgrade() -> None:
    run_script(SCHEMA)
