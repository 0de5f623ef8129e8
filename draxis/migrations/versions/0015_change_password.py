"""Change one's own password (issue 17): `platform.change_password`.

The API reads the caller's current hash through `platform.login_candidate`, verifies the current
password with argon2 off the pooled connection, and then swaps the hash here. The swap is a
compare-and-set on the hash it verified against: a concurrent change (another device, an admin)
makes this one fail instead of silently overwriting it. Only a live user's own row is touched;
`platform.users_revoke_sessions` then revokes every session of the user (the API opens a fresh
one for the caller in the same transaction). The change is written to the platform audit log.

`draxis_auth` (the definer) may update `password_hash` and nothing new besides; EXECUTE goes to
`draxis_app` only, never PUBLIC.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
set lock_timeout = '5s';

grant update (password_hash) on platform.users to draxis_auth;

grant create on schema platform to draxis_auth;  -- creating functions needs it; revoked below
set role draxis_auth;
-- True when the hash was swapped; false when the user is not live or the hash changed meanwhile.
create function platform.change_password(p_user_id uuid, p_old_hash text, p_new_hash text,
                                         p_ip text, p_request_id text)
    returns boolean
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare v_user record;
    begin
        if not platform.user_is_live(p_user_id) then
            return false;
        end if;
        update platform.users set password_hash = p_new_hash
            where id = p_user_id and password_hash = p_old_hash
            returning id, organization_id, tenant_id into v_user;
        if not found then
            return false;
        end if;
        insert into platform.platform_audit_logs (actor_user_id, scope, action, organization_id,
                                                  tenant_id, target_type, target_id, request_id,
                                                  ip)
            values (p_user_id, 'self', 'auth.password_change', v_user.organization_id,
                    v_user.tenant_id, 'user', p_user_id::text, p_request_id, p_ip);
        return true;
    end $$;
revoke execute on function platform.change_password(uuid, text, text, text, text) from public;
grant execute on function platform.change_password(uuid, text, text, text, text) to draxis_app;
reset role;
revoke create on schema platform from draxis_auth;
"""


def upgrade() -> None:
    run_script(SCHEMA)
