"""Function grants that take effect: the identity functions run only for the app.

Revisions 0001, 0002 and 0005 revoked EXECUTE from PUBLIC and granted it to `draxis_app` *after*
handing each SECURITY DEFINER function to `draxis_auth`. The migrator is NOINHERIT, so it then
held no grant option: PostgreSQL warned "no privileges could be revoked" and kept the default
ACL, and every role (the pipeline and Dagster's included) could read password hashes, open
sessions, mark them MFA-verified and clear lockouts. Those revisions now set the ACL before the
hand-over; this one repairs databases that ran them as they were:

- As the owner (`set role draxis_auth`; the migrator is a member), every function draxis_auth
  owns is closed to PUBLIC and to each login role, then opened to exactly its caller. All but
  two are the app's; `user_is_live` is called only by the others (running as its owner), and
  `users_revoke_sessions` is a trigger function (triggers fire without EXECUTE).
- Functions that the migrator or draxis_auth create from now on are closed to PUBLIC by default
  (ALTER DEFAULT PRIVILEGES): a new one runs for no one until a migration grants it.
- The pipeline loses table privileges it never uses: SELECT on `platform.organizations`,
  DELETE on `tenant.kri_status` (its colours are upserted) and UPDATE on the three posture
  tables (each rollup replaces its rows: DELETE, then INSERT).

A GRANT or REVOKE that changes nothing now fails the migration (draxis.migrations.privilege_notices).
The privilege matrix is in docs/architecture.md, section "Privilege matrix".

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set role draxis_auth;
do $$
declare f regprocedure;
begin
    for f in select p.oid::regprocedure from pg_proc p
             where p.proowner = 'draxis_auth'::regrole loop
        execute format('revoke all on function %s'
                       ' from public, draxis_app, draxis_pipeline, draxis_dagster, draxis_migrator',
                       f);
    end loop;
end $$;
grant execute on function
    platform.login_candidate(text),
    platform.session_open(uuid, bytea, interval, text, text, text),
    platform.session_refresh(bytea, bytea, text, text),
    platform.session_state(uuid, uuid),
    platform.session_mark_mfa(uuid, uuid),
    platform.session_revoke(uuid, uuid, text),
    platform.session_open_impersonation(uuid, uuid, uuid, interval, text, text),
    platform.session_profile(uuid),
    platform.session_logout(bytea, text, text),
    platform.rate_limit_take(text, integer, integer),
    platform.lockout_wait(text),
    platform.lockout_fail(text, integer, integer, integer),
    platform.lockout_clear(text),
    platform.needs_setup(),
    platform.register_first_superadmin(text, text, text),
    platform.invite_accept(bytea, text, text, text, text),
    platform.invite_preview(bytea),
    platform.push_token_source(bytea)
    to draxis_app;
alter default privileges revoke execute on functions from public;
reset role;
alter default privileges revoke execute on functions from public;

revoke select on platform.organizations from draxis_pipeline;
revoke delete on tenant.kri_status from draxis_pipeline;
revoke update on tenant.risk_posture, tenant.outcome_posture, tenant.tenant_posture
    from draxis_pipeline;
"""


def upgrade() -> None:
    run_script(SCHEMA)
