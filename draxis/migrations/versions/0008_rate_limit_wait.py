"""Rate limits that count only what they let through, and answer the true wait.

`platform.rate_limit_take` estimates a sliding window from two fixed ones: the current window's
hits plus the previous window's, weighted by how much of it still overlaps. It counted refused
hits too, and answered the seconds left in the current window. So a client that kept asking
while refused kept itself refused: the refused hits carried into the next window's estimate, and
`Retry-After` said "67 s" where the truth was minutes (issue 12, item 10: "67 s, then 818 s").

Now a refused hit is not counted (a client is held to `p_limit` accepted hits per sliding
window, however hard it knocks), and the answer is the time until one more hit fits the
estimate, assuming no one else uses the bucket meanwhile:
- if the current window has room, once enough of the previous window has slid out;
- otherwise in the next window, once enough of this one (by then the previous) has slid out.

The function keeps its owner (`draxis_auth`) and its ACL: CREATE OR REPLACE, as the owner.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

from draxis.migrations.sql import run_script

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA = r"""
grant create on schema platform to draxis_auth;  -- replacing a function needs it; revoked below
set role draxis_auth;
create or replace function platform.rate_limit_take(
        p_bucket text, p_limit integer, p_window_seconds integer)
    returns integer
    language plpgsql volatile security definer
    set search_path = pg_catalog, pg_temp
    as $$
    declare
        v_window interval := make_interval(secs => p_window_seconds);
        v_start timestamptz := to_timestamp(
            floor(extract(epoch from now()) / p_window_seconds) * p_window_seconds);
        v_elapsed double precision := extract(epoch from now() - v_start) / p_window_seconds;
        v_current integer;
        v_previous integer;
        v_wait double precision;
    begin
        if p_limit < 1 then
            return p_window_seconds;
        end if;
        -- Upsert without counting: the row lock serialises concurrent takes of one bucket.
        insert into platform.rate_limit_windows as w (bucket, window_start, hits)
            values (p_bucket, v_start, 0)
            on conflict (bucket, window_start) do update set hits = w.hits
            returning w.hits into v_current;
        select coalesce(max(w.hits), 0) into v_previous from platform.rate_limit_windows w
            where w.bucket = p_bucket and w.window_start = v_start - v_window;
        if random() < 0.01 then
            delete from platform.rate_limit_windows where window_start < v_start - v_window;
        end if;
        if v_previous * (1 - v_elapsed) + v_current + 1 <= p_limit then
            update platform.rate_limit_windows set hits = hits + 1
                where bucket = p_bucket and window_start = v_start;
            return 0;
        end if;
        if v_current < p_limit then
            -- Room in this window (so v_previous > 0): wait for the previous one to slide out.
            v_wait := 1 - (p_limit - v_current - 1)::double precision / v_previous - v_elapsed;
        else
            -- This window is full: in the next, it is the previous window, sliding out.
            v_wait := (1 - v_elapsed)
                + greatest(0, 1 - (p_limit - 1)::double precision / v_current);
        end if;
        return greatest(1, ceil(v_wait * p_window_seconds))::integer;
    end $$;
reset role;
revoke create on schema platform from draxis_auth;
"""


def upgrade() -> None:
    run_script(SCHEMA)
