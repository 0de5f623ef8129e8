"""Identity and access: sessions, refresh tokens, MFA, invites, throttles, audit, platform RLS.

Everything that must work before a scope is known (sign-in, refresh, the per-request session check,
rate limits, first-run setup, invite acceptance) is a SECURITY DEFINER function owned by the NOLOGIN
role `draxis_auth`, with `search_path` pinned. The app may call them; it has no grant on the tables
they guard (refresh tokens, throttles, setup state), so it cannot read a token hash or reset a
counter with its own SQL.

The scope gains `draxis.user_id`, the caller's own id: a user always sees their own row, and audit
rows must name the caller and the scope the transaction really runs in.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
create function platform.current_user_id() returns uuid
    language sql stable parallel safe
    as $$ select nullif(current_setting('draxis.user_id', true), '')::uuid $$;

alter table platform.organizations add column disabled_at timestamptz;

alter table platform.users
    add column mfa_secret bytea,            -- AES-GCM sealed TOTP secret; pending until enrolled
    add column mfa_enrolled_at timestamptz,
    add column mfa_last_step bigint;        -- last accepted TOTP step: a code works once

-- Platform rows by scope: platform reads across; org scope its organization; tenant scope its
-- tenant; everyone their own user row and organization; carriers their insured tenants.
drop policy user_scope on platform.users;
create policy user_scope on platform.users
    using ((select platform.current_scope()) = 'platform'
           or id = (select platform.current_user_id())
           or tenant_id = (select platform.current_tenant_id())
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id())))
    with check ((select platform.current_scope()) = 'platform'
           or id = (select platform.current_user_id())
           or tenant_id = (select platform.current_tenant_id())
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id())));

drop policy tenant_scope on platform.tenants;
create policy tenant_scope on platform.tenants
    using ((select platform.current_scope()) = 'platform'
           or id = (select platform.current_tenant_id())
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id()))
           or ((select platform.current_scope()) = 'carrier'
               and exists (select 1 from carrier.insured_tenants i
                           where i.tenant_id = id
                             and i.carrier_id = (select platform.current_carrier_id())
                             and i.revoked_at is null)))
    with check ((select platform.current_scope()) = 'platform'
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id())));

-- Sessions and refresh tokens ------------------------------------------------------------------
create table platform.sessions (
    id                      uuid primary key default gen_random_uuid(),
    user_id                 uuid not null references platform.users (id) on delete cascade,
    kind                    text not null default 'user' check (kind in ('user', 'impersonation')),
    impersonated_tenant_id  uuid references platform.tenants (id),
    parent_session_id       uuid references platform.sessions (id) on delete cascade,
    created_at              timestamptz not null default now(),
    expires_at              timestamptz not null,
    mfa_verified_at         timestamptz,
    revoked_at              timestamptz,
    revoked_reason          text,
    ip                      text,
    user_agent              text check (length(user_agent) <= 512),
    check ((kind = 'impersonation') = (impersonated_tenant_id is not null))
);
create index sessions_user_live_idx on platform.sessions (user_id) where revoked_at is null;

-- Every refresh token ever issued for a session: presenting a rotated one is a replay.
create table platform.refresh_tokens (
    token_hash  bytea primary key,
    session_id  uuid not null references platform.sessions (id) on delete cascade,
    issued_at   timestamptz not null default now(),
    rotated_at  timestamptz
);
create index refresh_tokens_session_idx on platform.refresh_tokens (session_id);

-- MFA -----------------------------------------------------------------------------------------
create table platform.mfa_policy (
    id              uuid primary key default gen_random_uuid(),
    level           text not null check (level in ('platform', 'organization', 'tenant', 'user')),
    organization_id uuid references platform.organizations (id) on delete cascade,
    tenant_id       uuid references platform.tenants (id) on delete cascade,
    user_id         uuid references platform.users (id) on delete cascade,
    required        boolean not null,
    updated_by      uuid,
    updated_at      timestamptz not null default now(),
    constraint mfa_policy_target check (case level
        when 'platform' then organization_id is null and tenant_id is null and user_id is null
        when 'organization' then organization_id is not null and tenant_id is null and user_id is null
        when 'tenant' then organization_id is null and tenant_id is not null and user_id is null
        else organization_id is null and tenant_id is null and user_id is not null end),
    unique nulls not distinct (level, organization_id, tenant_id, user_id)
);

create table platform.mfa_recovery_codes (
    user_id     uuid not null references platform.users (id) on delete cascade,
    code_hash   bytea not null,
    created_at  timestamptz not null default now(),
    used_at     timestamptz,
    primary key (user_id, code_hash)
);

-- Invites -------------------------------------------------------------------------------------
create table platform.invites (
    id              uuid primary key default gen_random_uuid(),
    token_hash      bytea not null unique,
    email           text not null check (email ~ '^[^@\s]+@[^@\s]+$'),
    role            text not null check (role in ('master_admin', 'tenant_admin', 'tenant_user',
                                                  'carrier_admin', 'carrier_user')),
    organization_id uuid references platform.organizations (id),
    tenant_id       uuid references platform.tenants (id),
    carrier_id      uuid references carrier.carriers (id),
    invited_by      uuid not null references platform.users (id),
    created_at      timestamptz not null default now(),
    expires_at      timestamptz not null,
    accepted_at     timestamptz,
    accepted_user_id uuid references platform.users (id),
    revoked_at      timestamptz,
    constraint invites_home_matches_role check (case role
        when 'master_admin' then organization_id is not null and tenant_id is null and carrier_id is null
        when 'carrier_admin' then carrier_id is not null and tenant_id is null
        when 'carrier_user' then carrier_id is not null and tenant_id is null
        else tenant_id is not null and organization_id is not null and carrier_id is null end)
);
create index invites_org_idx on platform.invites (organization_id);

-- First run -------------------------------------------------------------------------------------
create table platform.setup_state (
    singleton       boolean primary key default true check (singleton),
    completed_at    timestamptz not null default now(),
    superadmin_id   uuid not null references platform.users (id)
);

-- Throttles: sliding-window counters and per-account lockouts ----------------------------------
create table platform.rate_limit_windows (
    bucket          text not null,
    window_start    timestamptz not null,
    hits            integer not null,
    primary key (bucket, window_start)
);

create table platform.lockouts (
    key             text primary key,
    failures        integer not null,
    last_failure_at timestamptz not null,
    locked_until    timestamptz
);

-- Audit -----------------------------------------------------------------------------------------
create table platform.platform_audit_logs (
    id                   uuid primary key default gen_random_uuid(),
    at                   timestamptz not null default now(),
    actor_user_id        uuid,
    impersonator_user_id uuid,
    scope                text not null,
    organization_id      uuid,
    tenant_id            uuid,
    action               text not null check (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    target_type          text,
    target_id            text,
    request_id           text,
    ip                   text,
    detail               jsonb not null default '{}'::jsonb check (jsonb_typeof(detail) = 'object')
);
create index platform_audit_at_idx on platform.platform_audit_logs (at desc);
create index platform_audit_org_idx on platform.platform_audit_logs (organization_id, at desc);

create table tenant.audit_log (
    tenant_id            uuid not null references platform.tenants (id),
    id                   uuid not null default gen_random_uuid(),
    at                   timestamptz not null default now(),
    actor_user_id        uuid,
    impersonator_user_id uuid,
    scope                text not null,
    action               text not null check (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    target_type          text,
    target_id            text,
    request_id           text,
    ip                   text,
    detail               jsonb not null default '{}'::jsonb check (jsonb_typeof(detail) = 'object'),
    primary key (tenant_id, id)
);
create index audit_log_at_idx on tenant.audit_log (tenant_id, at desc);

-- Row-level security ----------------------------------------------------------------------------
do $$
declare t text;
begin
    foreach t in array array['sessions', 'refresh_tokens', 'mfa_policy', 'mfa_recovery_codes',
                             'invites', 'setup_state', 'rate_limit_windows', 'lockouts',
                             'platform_audit_logs'] loop
        execute format('alter table platform.%I enable row level security', t);
        execute format('alter table platform.%I force row level security', t);
        -- draxis_auth runs the sign-in functions and owns the session trigger.
        execute format('create policy auth_functions on platform.%I to draxis_auth
                        using (true) with check (true)', t);
    end loop;
end $$;
alter table tenant.audit_log enable row level security;
alter table tenant.audit_log force row level security;

create policy own_sessions on platform.sessions for select
    using (user_id = (select platform.current_user_id()));

create policy mfa_policy_scope on platform.mfa_policy
    using ((select platform.current_scope()) = 'platform'
           or ((select platform.current_scope()) = 'org'
               and (organization_id = (select platform.current_org_id())
                    or tenant_id in (select t.id from platform.tenants t)
                    or user_id in (select u.id from platform.users u)))
           or ((select platform.current_scope()) = 'tenant'
               and (tenant_id = (select platform.current_tenant_id())
                    or user_id in (select u.id from platform.users u
                                   where u.tenant_id = (select platform.current_tenant_id())))));

-- Recovery codes are visible where their user is: one's own, or a user an admin's scope reaches.
create policy recovery_code_scope on platform.mfa_recovery_codes
    using (user_id = (select platform.current_user_id())
           or user_id in (select u.id from platform.users u));

create policy invite_scope on platform.invites
    using ((select platform.current_scope()) = 'platform'
           or tenant_id = (select platform.current_tenant_id())
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id())))
    with check ((select platform.current_scope()) = 'platform'
           or (tenant_id = (select platform.current_tenant_id())
               and (select platform.current_scope()) = 'tenant')
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id())));

-- Audit rows: read by scope; written only as the transaction's real scope and caller.
create policy platform_audit_read on platform.platform_audit_logs for select
    using ((select platform.current_scope()) = 'platform'
           or ((select platform.current_scope()) = 'org'
               and organization_id = (select platform.current_org_id())));
create policy platform_audit_write on platform.platform_audit_logs for insert
    with check (scope = (select platform.current_scope())
                and actor_user_id is not distinct from (select platform.current_user_id())
                and ((select platform.current_scope()) <> 'org'
                     or organization_id = (select platform.current_org_id())));
create policy tenant_audit_read on tenant.audit_log for select
    using (tenant_id = (select platform.current_tenant_id()));
create policy tenant_audit_write on tenant.audit_log for insert
    with check (tenant_id = (select platform.current_tenant_id())
                and scope = (select platform.current_scope())
                and actor_user_id is not distinct from (select platform.current_user_id()));

-- The auth functions read identity across scopes.
create policy auth_functions on platform.organizations to draxis_auth using (true);
create policy auth_functions on platform.tenants to draxis_auth using (true);
drop policy auth_lookup on platform.users;
create policy auth_functions on platform.users to draxis_auth using (true) with check (true);
grant select on platform.organizations, platform.tenants to draxis_auth;
grant update (last_login_at), insert on platform.users to draxis_auth;
grant select, insert, update, delete on platform.sessions, platform.refresh_tokens,
    platform.rate_limit_windows, platform.lockouts, platform.setup_state to draxis_auth;
grant select on platform.mfa_policy, platform.invites to draxis_auth;
grant update (accepted_at, accepted_user_id) on platform.invites to draxis_auth;
grant insert on platform.platform_audit_logs to draxis_auth;

-- Auth functions -------------------------------------------------------------------------------
drop function platform.login_candidate(text);
create function platform.login_candidate(p_email text)
    returns table (user_id uuid, email text, display_name text, password_hash text, role text,
                   organization_id uuid, tenant_id uuid, carrier_id uuid, is_active boolean,
                   mfa_enrolled boolean, tenant_name text)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select u.id, u.email, u.display_name, u.password_hash, u.role,
               u.organization_id, u.tenant_id, u.carrier_id,
               u.is_active and o.disabled_at is null and t.deleted_at is null,
               u.mfa_enrolled_at is not null, t.name
        from platform.users u
        left join platform.organizations o on o.id = u.organization_id
        left join platform.tenants t on t.id = u.tenant_id
        where lower(u.email) = lower(p_email)
    $$;

-- Is the user allowed in right now? Shared by sign-in, refresh and the per-request check.
create function platform.user_is_live(p_user_id uuid) returns boolean
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select coalesce((
            select u.is_active and o.disabled_at is null and t.deleted_at is null
            from platform.users u
            left join platform.organizations o on o.id = u.organization_id
            left join platform.tenants t on t.id = u.tenant_id
            where u.id = p_user_id), false)
    $$;

create function platform.session_open(p_user_id uuid, p_token_hash bytea, p_ttl interval,
                                      p_ip text, p_user_agent text, p_request_id text)
    returns uuid
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare v_session uuid;
    begin
        if not platform.user_is_live(p_user_id) then
            raise exception 'user % may not sign in', p_user_id using errcode = '28000';
        end if;
        insert into platform.sessions (user_id, expires_at, ip, user_agent)
            values (p_user_id, now() + p_ttl, p_ip, left(p_user_agent, 512))
            returning id into v_session;
        insert into platform.refresh_tokens (token_hash, session_id) values (p_token_hash, v_session);
        update platform.users set last_login_at = now() where id = p_user_id;
        insert into platform.platform_audit_logs (actor_user_id, scope, action, target_type,
                                                  target_id, request_id, ip)
            values (p_user_id, 'login', 'auth.sign_in', 'session', v_session::text, p_request_id, p_ip);
        return v_session;
    end $$;

-- Rotate a refresh token. A token already rotated is a replay: the whole session dies.
create function platform.session_refresh(p_token_hash bytea, p_new_hash bytea, p_ip text,
                                         p_request_id text)
    returns table (outcome text, session_id uuid, user_id uuid)
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare r record;
    begin
        select rt.rotated_at, s.id, s.user_id, s.revoked_at, s.expires_at into r
        from platform.refresh_tokens rt join platform.sessions s on s.id = rt.session_id
        where rt.token_hash = p_token_hash
        for update of rt, s;
        if not found then
            return query select 'unknown'::text, null::uuid, null::uuid;
            return;
        end if;
        if r.rotated_at is not null then
            if r.revoked_at is null then
                update platform.sessions set revoked_at = now(), revoked_reason = 'refresh_reuse'
                    where (id = r.id or parent_session_id = r.id) and revoked_at is null;
                insert into platform.platform_audit_logs (actor_user_id, scope, action,
                        target_type, target_id, request_id, ip)
                    values (r.user_id, 'login', 'auth.refresh_reuse', 'session', r.id::text,
                            p_request_id, p_ip);
            end if;
            return query select 'reused'::text, r.id, r.user_id;
            return;
        end if;
        if r.revoked_at is not null or r.expires_at <= now()
           or not platform.user_is_live(r.user_id) then
            return query select 'revoked'::text, r.id, r.user_id;
            return;
        end if;
        update platform.refresh_tokens set rotated_at = now() where token_hash = p_token_hash;
        insert into platform.refresh_tokens (token_hash, session_id) values (p_new_hash, r.id);
        return query select 'ok'::text, r.id, r.user_id;
    end $$;

-- The per-request check: is the session live, is MFA done, and which MFA rules apply.
create function platform.session_state(p_session_id uuid, p_user_id uuid)
    returns table (live boolean, mfa_verified boolean, mfa_enrolled boolean,
                   rule_user boolean, rule_tenant boolean, rule_org boolean,
                   rule_platform boolean, impersonated_tenant_id uuid, expires_at timestamptz,
                   role text, tenant_id uuid, organization_id uuid, carrier_id uuid)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select s.revoked_at is null and s.expires_at > now()
                   and u.is_active and o.disabled_at is null and t.deleted_at is null
                   and (s.kind = 'user' or (it.deleted_at is null and it.id is not null))
                   -- an impersonation lives only as long as the session that opened it
                   and (s.parent_session_id is null
                        or (ps.revoked_at is null and ps.expires_at > now())),
               s.mfa_verified_at is not null,
               u.mfa_enrolled_at is not null,
               (select p.required from platform.mfa_policy p where p.user_id = u.id),
               (select p.required from platform.mfa_policy p where p.tenant_id = u.tenant_id),
               (select p.required from platform.mfa_policy p
                 where p.level = 'organization' and p.organization_id = u.organization_id),
               (select p.required from platform.mfa_policy p where p.level = 'platform'),
               s.impersonated_tenant_id,
               s.expires_at,
               u.role, u.tenant_id, u.organization_id, u.carrier_id
        from platform.sessions s
        left join platform.sessions ps on ps.id = s.parent_session_id
        join platform.users u on u.id = s.user_id
        left join platform.organizations o on o.id = u.organization_id
        left join platform.tenants t on t.id = u.tenant_id
        left join platform.tenants it on it.id = s.impersonated_tenant_id
        where s.id = p_session_id and s.user_id = p_user_id
    $$;

create function platform.session_mark_mfa(p_session_id uuid, p_user_id uuid) returns boolean
    language sql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
        update platform.sessions set mfa_verified_at = now()
        where id = p_session_id and user_id = p_user_id and revoked_at is null
        returning true
    $$;

create function platform.session_revoke(p_session_id uuid, p_user_id uuid, p_reason text)
    returns boolean
    language sql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
        update platform.sessions set revoked_at = now(), revoked_reason = p_reason
        where (id = p_session_id or parent_session_id = p_session_id)
          and user_id = p_user_id and revoked_at is null
        returning true
    $$;

-- A time-limited session acting in a tenant. The API checks the caller's scope first; this
-- checks it again so that no SQL the app sends can widen an impersonation.
create function platform.session_open_impersonation(p_parent_session uuid, p_user_id uuid,
                                                    p_tenant_id uuid, p_ttl interval, p_ip text,
                                                    p_user_agent text)
    returns uuid
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare v_parent record; v_session uuid;
    begin
        select s.kind, s.mfa_verified_at, u.role, u.organization_id into v_parent
        from platform.sessions s join platform.users u on u.id = s.user_id
        where s.id = p_parent_session and s.user_id = p_user_id and s.revoked_at is null
          and s.expires_at > now();
        if not found or v_parent.kind <> 'user' or not platform.user_is_live(p_user_id) then
            raise exception 'session may not impersonate' using errcode = '42501';
        end if;
        if not exists (select 1 from platform.tenants t
                       where t.id = p_tenant_id and t.deleted_at is null
                         and (v_parent.role = 'superadmin'
                              or (v_parent.role = 'master_admin'
                                  and t.organization_id = v_parent.organization_id))) then
            raise exception 'tenant out of reach' using errcode = '42501';
        end if;
        insert into platform.sessions (user_id, kind, impersonated_tenant_id, parent_session_id,
                                       expires_at, mfa_verified_at, ip, user_agent)
            values (p_user_id, 'impersonation', p_tenant_id, p_parent_session, now() + p_ttl,
                    v_parent.mfa_verified_at, p_ip, left(p_user_agent, 512))
            returning id into v_session;
        return v_session;
    end $$;

-- A user who is disabled, moved, demoted or whose password or MFA is reset loses every session.
create function platform.users_revoke_sessions() returns trigger
    language plpgsql security definer
    set search_path = pg_catalog, pg_temp
    as $$
    begin
        if (old.is_active and not new.is_active)
           or old.role <> new.role
           or old.tenant_id is distinct from new.tenant_id
           or old.organization_id is distinct from new.organization_id
           or old.password_hash <> new.password_hash
           or (old.mfa_enrolled_at is not null and new.mfa_enrolled_at is null) then
            update platform.sessions set revoked_at = now(), revoked_reason = 'user_changed'
                where user_id = new.id and revoked_at is null;
        end if;
        return new;
    end $$;
create trigger users_revoke_sessions after update on platform.users
    for each row execute function platform.users_revoke_sessions();

-- Sliding-window rate limit: the previous window's count, weighted by how much of it still
-- overlaps, plus this window's. Returns 0 when allowed, else seconds to wait.
create function platform.rate_limit_take(p_bucket text, p_limit integer, p_window_seconds integer)
    returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_window interval := make_interval(secs => p_window_seconds);
        v_start timestamptz := to_timestamp(
            floor(extract(epoch from now()) / p_window_seconds) * p_window_seconds);
        v_elapsed double precision;
        v_current integer;
        v_previous integer;
    begin
        insert into platform.rate_limit_windows as w (bucket, window_start, hits)
            values (p_bucket, v_start, 1)
            on conflict (bucket, window_start) do update set hits = w.hits + 1
            returning w.hits into v_current;
        select w.hits into v_previous from platform.rate_limit_windows w
            where w.bucket = p_bucket and w.window_start = v_start - v_window;
        v_elapsed := extract(epoch from now() - v_start) / p_window_seconds;
        if random() < 0.01 then
            delete from platform.rate_limit_windows where window_start < v_start - v_window;
        end if;
        if coalesce(v_previous, 0) * (1 - v_elapsed) + v_current > p_limit then
            return greatest(1, ceil(p_window_seconds * (1 - v_elapsed)))::integer;
        end if;
        return 0;
    end $$;

create function platform.lockout_wait(p_key text) returns integer
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select coalesce((select greatest(0, ceil(extract(epoch from l.locked_until - now())))::integer
                         from platform.lockouts l where l.key = p_key), 0)
    $$;

-- Count a failure; from the threshold on, lock for base * 2^(failures - threshold), capped.
-- Failures older than a day are forgotten.
create function platform.lockout_fail(p_key text, p_threshold integer, p_base_seconds integer,
                                      p_max_seconds integer)
    returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare v_failures integer; v_wait integer := 0;
    begin
        insert into platform.lockouts as l (key, failures, last_failure_at)
            values (p_key, 1, now())
            on conflict (key) do update
                set failures = case when l.last_failure_at < now() - interval '1 day' then 1
                                    else l.failures + 1 end,
                    last_failure_at = now()
            returning l.failures into v_failures;
        if v_failures >= p_threshold then
            v_wait := least(p_max_seconds,
                            p_base_seconds * power(2, least(v_failures - p_threshold, 20)))::integer;
            update platform.lockouts set locked_until = now() + make_interval(secs => v_wait)
                where key = p_key;
        end if;
        return v_wait;
    end $$;

create function platform.lockout_clear(p_key text) returns void
    language sql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$ delete from platform.lockouts where key = p_key $$;

create function platform.needs_setup() returns boolean
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select not exists (select 1 from platform.setup_state)
           and not exists (select 1 from platform.users where role = 'superadmin')
    $$;

-- The first superadmin, once. The advisory lock serialises racing attempts; the singleton row
-- would refuse a second one even without it.
create function platform.register_first_superadmin(p_email text, p_display_name text,
                                                   p_password_hash text)
    returns uuid
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare v_user uuid;
    begin
        perform pg_advisory_xact_lock(hashtext('draxis.first-run'));
        if not platform.needs_setup() then
            return null;
        end if;
        insert into platform.users (email, display_name, password_hash, role)
            values (p_email, p_display_name, p_password_hash, 'superadmin')
            returning id into v_user;
        insert into platform.setup_state (superadmin_id) values (v_user);
        insert into platform.platform_audit_logs (actor_user_id, scope, action, target_type, target_id)
            values (v_user, 'login', 'platform.first_superadmin', 'user', v_user::text);
        return v_user;
    end $$;

-- Accept an invite: single use, unexpired, unrevoked, and the e-mail still free.
create function platform.invite_accept(p_token_hash bytea, p_display_name text,
                                       p_password_hash text, p_ip text, p_request_id text)
    returns table (outcome text, user_id uuid)
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare v_invite record; v_user uuid;
    begin
        select * into v_invite from platform.invites i
        where i.token_hash = p_token_hash for update;
        if not found or v_invite.accepted_at is not null or v_invite.revoked_at is not null
           or v_invite.expires_at <= now()
           or exists (select 1 from platform.organizations o
                      where o.id = v_invite.organization_id and o.disabled_at is not null)
           or exists (select 1 from platform.tenants t
                      where t.id = v_invite.tenant_id and t.deleted_at is not null) then
            return query select 'invalid'::text, null::uuid;
            return;
        end if;
        if exists (select 1 from platform.users u where lower(u.email) = lower(v_invite.email)) then
            return query select 'email_taken'::text, null::uuid;
            return;
        end if;
        insert into platform.users (email, display_name, password_hash, role, organization_id,
                                    tenant_id, carrier_id)
            values (v_invite.email, p_display_name, p_password_hash, v_invite.role,
                    v_invite.organization_id, v_invite.tenant_id, v_invite.carrier_id)
            returning id into v_user;
        update platform.invites set accepted_at = now(), accepted_user_id = v_user
            where id = v_invite.id;
        insert into platform.platform_audit_logs (actor_user_id, scope, action, organization_id,
                tenant_id, target_type, target_id, request_id, ip)
            values (v_user, 'login', 'user.invite_accepted', v_invite.organization_id,
                    v_invite.tenant_id, 'invite', v_invite.id::text, p_request_id, p_ip);
        return query select 'ok'::text, v_user;
    end $$;

-- Who a session belongs to, for answering a refresh (no scope is known yet).
create function platform.session_profile(p_session_id uuid)
    returns table (user_id uuid, email text, display_name text, role text, organization_id uuid,
                   tenant_id uuid, carrier_id uuid, tenant_name text)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select u.id, u.email, u.display_name, u.role, u.organization_id, u.tenant_id,
               u.carrier_id, t.name
        from platform.sessions s
        join platform.users u on u.id = s.user_id
        left join platform.tenants t on t.id = u.tenant_id
        where s.id = p_session_id
    $$;

-- What an invite is for, shown to the person accepting it (and used to check their password).
create function platform.invite_preview(p_token_hash bytea)
    returns table (email text, role text, organization_name text, tenant_name text)
    language sql stable security definer
    set search_path = pg_catalog, pg_temp
    as $$
        select i.email, i.role, o.name, t.name
        from platform.invites i
        left join platform.organizations o on o.id = i.organization_id
        left join platform.tenants t on t.id = i.tenant_id
        where i.token_hash = p_token_hash and i.accepted_at is null and i.revoked_at is null
          and i.expires_at > now() and o.disabled_at is null and t.deleted_at is null
    $$;

-- Sign-out by refresh token: revokes the session that token (rotated or not) belongs to.
create function platform.session_logout(p_token_hash bytea, p_request_id text, p_ip text)
    returns uuid
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare v_session uuid; v_user uuid;
    begin
        update platform.sessions s set revoked_at = now(), revoked_reason = 'logout'
            from platform.refresh_tokens rt
            where rt.token_hash = p_token_hash and s.id = rt.session_id and s.revoked_at is null
            returning s.id, s.user_id into v_session, v_user;
        if v_session is not null then
            update platform.sessions set revoked_at = now(), revoked_reason = 'logout'
                where parent_session_id = v_session and revoked_at is null;
            insert into platform.platform_audit_logs (actor_user_id, scope, action, target_type,
                    target_id, request_id, ip)
                values (v_user, 'login', 'auth.sign_out', 'session', v_session::text,
                        p_request_id, p_ip);
        end if;
        return v_session;
    end $$;

-- Hand every function above to draxis_auth and let only the app call them. The ACL is set while
-- the migrator still owns the function (afterwards it holds no grant option: NOINHERIT), and
-- ALTER OWNER carries it over to draxis_auth.
grant create on schema platform to draxis_auth;
do $$
declare f text;
begin
    foreach f in array array[
        'login_candidate(text)', 'user_is_live(uuid)',
        'session_open(uuid, bytea, interval, text, text, text)',
        'session_refresh(bytea, bytea, text, text)', 'session_state(uuid, uuid)',
        'session_mark_mfa(uuid, uuid)', 'session_revoke(uuid, uuid, text)',
        'session_open_impersonation(uuid, uuid, uuid, interval, text, text)',
        'users_revoke_sessions()', 'rate_limit_take(text, integer, integer)',
        'lockout_wait(text)', 'lockout_fail(text, integer, integer, integer)',
        'lockout_clear(text)', 'needs_setup()', 'register_first_superadmin(text, text, text)',
        'invite_accept(bytea, text, text, text, text)', 'session_profile(uuid)',
        'invite_preview(bytea)',
        'session_logout(bytea, text, text)'] loop
        execute format('revoke all on function platform.%s from public', f);
        if f <> 'users_revoke_sessions()' then
            execute format('grant execute on function platform.%s to draxis_app', f);
        end if;
        execute format('alter function platform.%s owner to draxis_auth', f);
    end loop;
end $$;
revoke create on schema platform from draxis_auth;

-- App grants: read what its scopes show, append-only audit, no access to token or throttle state.
grant select on platform.sessions to draxis_app;
grant select, insert, update, delete on platform.mfa_policy to draxis_app;
grant select, insert, delete on platform.mfa_recovery_codes to draxis_app;
grant update (used_at) on platform.mfa_recovery_codes to draxis_app;
grant select, insert on platform.invites to draxis_app;
grant update (revoked_at) on platform.invites to draxis_app;
grant select, insert on platform.platform_audit_logs, tenant.audit_log to draxis_app;
grant select on platform.organizations to draxis_pipeline;
-- The tenants policy's carrier branch reads insured_tenants with the reader's own privileges.
grant usage on schema carrier to draxis_auth;
grant select on carrier.insured_tenants to draxis_auth, draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
