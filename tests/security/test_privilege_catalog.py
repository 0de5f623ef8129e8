"""The privilege matrix, read from the catalog: who may run each SECURITY DEFINER function, what
the pipeline and Dagster roles may touch, and what no login role may be.

Every table below is the whole truth: a new definer function, or a new grant to the pipeline or
Dagster role, fails these tests until it is added here on purpose (and to the matrix in
docs/architecture.md, section "Privilege matrix").
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest

from draxis.db.pool import connect
from draxis.db.roles import AUTH_ROLE, DAGSTER_SCHEMA, DbRole
from draxis.db.urls import role_conninfo
from draxis.settings import Settings
from tests.conftest import Conn

OUR_SCHEMAS = ("platform", "tenant", "carrier")
PUBLIC = "public"
APP = DbRole.APP.value
# Who may EXECUTE each SECURITY DEFINER function, besides its owner `draxis_auth`. PUBLIC,
# draxis_pipeline, draxis_dagster and draxis_migrator: never.
EXPECTED_EXECUTE: dict[str, frozenset[str]] = {
    # sign-in, sessions, refresh, sign-out (api/routes/auth.py, draxis/identity/sessions.py)
    "platform.login_candidate(text)": frozenset({APP}),
    "platform.session_open(uuid,bytea,interval,text,text,text)": frozenset({APP}),
    "platform.session_refresh(bytea,bytea,text,text)": frozenset({APP}),
    "platform.session_state(uuid,uuid)": frozenset({APP}),
    "platform.session_mark_mfa(uuid,uuid)": frozenset({APP}),
    "platform.session_revoke(uuid,uuid,text)": frozenset({APP}),
    "platform.session_open_impersonation(uuid,uuid,uuid,interval,text,text)": frozenset({APP}),
    "platform.session_profile(uuid)": frozenset({APP}),
    "platform.session_logout(bytea,text,text)": frozenset({APP}),
    # throttles (draxis/identity/throttle.py)
    "platform.rate_limit_take(text,integer,integer)": frozenset({APP}),
    "platform.lockout_wait(text)": frozenset({APP}),
    "platform.lockout_fail(text,integer,integer,integer)": frozenset({APP}),
    "platform.lockout_clear(text)": frozenset({APP}),
    # first run and invites (api/routes/auth.py)
    "platform.needs_setup()": frozenset({APP}),
    "platform.register_first_superadmin(text,text,text)": frozenset({APP}),
    "platform.invite_accept(bytea,text,text,text,text)": frozenset({APP}),
    "platform.invite_preview(bytea)": frozenset({APP}),
    # push ingestion (api/routes/inbound.py)
    "platform.push_token_source(bytea)": frozenset({APP}),
    # personal access tokens (api/token_auth.py)
    "platform.api_token_principal(bytea)": frozenset({APP}),
    "platform.api_token_touch(uuid)": frozenset({APP}),
    # changing one's own password (api/routes/password.py)
    "platform.change_password(uuid,text,text,text,text)": frozenset({APP}),
    # called only from the functions above, which run as its owner
    "platform.user_is_live(uuid)": frozenset(),
    # a trigger function: triggers fire without EXECUTE
    "platform.users_revoke_sessions()": frozenset(),
}
GRANTEES = (PUBLIC, APP, DbRole.PIPELINE.value, DbRole.DAGSTER.value, DbRole.MIGRATOR.value)

# Everything draxis_pipeline may do to our tables, and why (what reads or writes it).
EXPECTED_PIPELINE_TABLES: dict[str, str] = {
    "carrier.carriers": "SELECT",  # the carrier projection's partitions
    "carrier.insured_tenants": "SELECT",  # consents; the tenants policy's carrier branch
    "carrier.portfolio": "SELECT, INSERT, DELETE",  # replace_rows of each carrier's book
    "platform.board_report": (  # the report asset: queued requests, their outcome and PDF
        "SELECT, INSERT, UPDATE(error, finished_at, pages, pdf, started_at, status)"
    ),
    "platform.invite_email": (  # invite e-mails: claim, send, wipe the sealed link
        "SELECT, UPDATE(attempts, last_error, lease_until, link_sealed, next_attempt_at,"
        " sent_at, status)"
    ),
    "platform.invites": (  # what an invite e-mail says, and whether the invite still stands
        "SELECT(accepted_at, email, expires_at, id, organization_id, revoked_at, role, tenant_id)"
    ),
    "platform.organizations": "SELECT(id, name)",  # org reports are titled with the name (0017)
    "platform.platform_audit_logs": "INSERT",  # the projection's cross-tenant read is audited
    "platform.tenants": "SELECT",  # tenant partitions, resolve_tenant
    # the delivery worker's recipients (0019), whom an acceptance's expiry notifies (0020), who
    # holds the roles workflow steps name (0021): address, name, role and active flag, no more
    "platform.users": "SELECT(display_name, email, id, is_active, role, tenant_id)",
    "tenant.control": "SELECT",
    "tenant.control_risk": "SELECT",
    "tenant.delivery_attempt": "INSERT",  # the delivery log (assets.notify)
    "tenant.dashboard_document": "SELECT, INSERT, UPDATE",  # refresh_dashboards' upsert
    "tenant.kri": "SELECT",
    "tenant.kri_observation": "SELECT, INSERT, UPDATE",  # the observation merge
    "tenant.kri_outcome": "SELECT",
    "tenant.kri_risk": "SELECT",
    "tenant.kri_source": (  # load_source, the scheduler, run health, the run's lease
        "SELECT, UPDATE(backoff_until, consecutive_failures, last_run_at, last_run_status,"
        " lease_expires_at, lease_owner, next_run_at)"
    ),
    "tenant.kri_status": "SELECT, INSERT, UPDATE",  # upsert of colours
    "tenant.model_revision": "SELECT",  # risk_model_sensor
    "tenant.notification": "SELECT, INSERT",  # workflows and expiries notify users
    "tenant.notification_delivery": (  # the outbox: fill, claim with a lease, record outcomes
        "SELECT, INSERT, UPDATE(attempts, last_error, last_status_code, lease_until,"
        " next_attempt_at, sent_at, status)"
    ),
    "tenant.notification_preference": "SELECT",  # who wants which e-mail, and digests
    "tenant.outcome": "SELECT",
    "tenant.outcome_posture": "SELECT, INSERT, DELETE",  # replace_rows
    "tenant.posture_history": "SELECT, INSERT, UPDATE",  # upsert of today's row
    "tenant.risk": "SELECT, UPDATE(status, updated_at)",  # an expired acceptance: back to review
    "tenant.risk_acceptance": "SELECT, UPDATE(ended_at, status)",  # expiry of acceptances
    "tenant.risk_outcome": "SELECT",
    "tenant.risk_contribution": "SELECT, INSERT, DELETE",  # replace_batch with risk_posture
    "tenant.risk_posture": "SELECT, INSERT, DELETE",  # replace_rows
    "tenant.run_request": (  # the run-now sensor and the run's outcome
        "SELECT, UPDATE(dagster_run_id, error, finished_at, launched_at, source_run_id, status)"
    ),
    "tenant.source_run": "SELECT, INSERT, UPDATE",  # the run record
    "tenant.staged_value": "SELECT, UPDATE(consumed_by)",  # take_staged
    "tenant.task": "SELECT, INSERT, UPDATE",  # workflow steps open and close tasks
    "tenant.task_event": "SELECT, INSERT",  # the history of those tasks
    "tenant.tenant_posture": "SELECT, INSERT, DELETE",  # replace_rows
    "tenant.vendor": "SELECT",  # reassessment-due triggers read review dates
    # Third-party risk (0022): the TPRM KRIs, assessment evaluation, drift, vendor e-mails.
    "tenant.vendor_risk": "SELECT",  # a vendor's findings reach its linked risks
    "tenant.tprm_policy": "SELECT",  # cadence per tier, reminder lead time, requirements
    "tenant.questionnaire_version": "SELECT",  # the questions an evaluation scores against
    "tenant.assessment": (  # evaluation writes the score (under its claim's lease, 0023);
        # reminders and expiry close links
        "SELECT, UPDATE(evaluated_at, evaluation, evaluation_error, evaluation_lease_until,"
        " evaluator, link_sealed, rating, score, status)"
    ),
    "tenant.assessment_answer": (  # the evaluation's scores; a file answer's row (0023)
        "SELECT, INSERT(assessment_id, auto_rationale, auto_score, auto_source, question_id,"
        " tenant_id, value), UPDATE(auto_rationale, auto_score, auto_source)"
    ),
    "tenant.audit_log": "INSERT",  # the evaluation's audit rows, assessment.* only (0023)
    "tenant.assessment_evidence": "SELECT",  # evidence text for the model's evaluation
    "tenant.vendor_finding": (  # assessment and drift findings, opened and resolved
        "SELECT, INSERT, UPDATE(detail, last_seen_at, resolution, resolved_at, severity,"
        " status, title)"
    ),
    "tenant.identity_app": "SELECT, INSERT, UPDATE, DELETE",  # the IdPs' app lists, per run
    "tenant.assessment_email": (  # invitation and reminder outbox
        "SELECT, INSERT, UPDATE(attempts, last_error, lease_until, next_attempt_at, sent_at,"
        " status)"
    ),
    "tenant.workflow": "SELECT",  # the workflows asset reads enabled definitions
    "tenant.workflow_run": "SELECT, INSERT, UPDATE",  # one run per firing, advanced
    "tenant.workflow_subject_state": "SELECT, INSERT, UPDATE",  # the episodes triggers fire on
    "tenant.workflow_version": "SELECT",  # each run's own version of the document
    "tenant.webhook_endpoint": "SELECT",  # where to send, the filter, the sealed secret
}
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
COLUMN_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "REFERENCES")
# The identity functions whose misuse the issue demonstrated, each with harmless arguments.
IDENTITY_CALLS = {
    "login_candidate": "select * from platform.login_candidate('someone@example.com')",
    "session_open": (
        "select platform.session_open(%(id)s, '\\x00'::bytea, '1 hour', null, null, null)"
    ),
    "session_mark_mfa": "select platform.session_mark_mfa(%(id)s, %(id)s)",
    "lockout_clear": "select platform.lockout_clear('someone')",
    "push_token_source": "select * from platform.push_token_source('\\x00'::bytea)",
    "api_token_principal": "select * from platform.api_token_principal('\\x00'::bytea)",
    "api_token_touch": "select platform.api_token_touch(%(id)s)",
    "change_password": "select platform.change_password(%(id)s, 'old', 'new', null, null)",
}


@pytest.fixture
def dagster_conn(settings: Settings) -> Iterator[Conn]:
    with connect(role_conninfo(settings, DbRole.DAGSTER)) as conn:
        yield conn


def _definer_functions(conn: Conn) -> list[tuple[int, str, str]]:
    """(oid, signature, owner) of every SECURITY DEFINER function in our schemas."""
    rows = conn.execute(
        "select p.oid::int, p.oid::regprocedure::text, pg_get_userbyid(p.proowner)"
        " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where p.prosecdef and n.nspname = any(%s) order by 2",
        (list(OUR_SCHEMAS),),
    ).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


def test_every_definer_function_has_an_entry(app_conn: Conn) -> None:
    found = {signature for _, signature, _ in _definer_functions(app_conn)}
    assert found == set(EXPECTED_EXECUTE), (
        f"not in EXPECTED_EXECUTE: {sorted(found - set(EXPECTED_EXECUTE))};"
        f" gone: {sorted(set(EXPECTED_EXECUTE) - found)}"
    )


def test_definer_functions_are_owned_by_the_nologin_auth_role(app_conn: Conn) -> None:
    owners = {signature: owner for _, signature, owner in _definer_functions(app_conn)}
    assert owners == dict.fromkeys(owners, AUTH_ROLE)


def test_definer_functions_pin_their_search_path(app_conn: Conn) -> None:
    unpinned = app_conn.execute(
        "select p.oid::regprocedure::text from pg_proc p"
        " join pg_namespace n on n.oid = p.pronamespace"
        " where p.prosecdef and n.nspname = any(%s)"
        " and not coalesce('search_path=pg_catalog, pg_temp' = any(p.proconfig), false)",
        (list(OUR_SCHEMAS),),
    ).fetchall()
    assert unpinned == []


def test_definer_functions_execute_only_for_the_roles_that_call_them(app_conn: Conn) -> None:
    wrong: list[str] = []
    for oid, signature, _ in _definer_functions(app_conn):
        allowed = EXPECTED_EXECUTE.get(signature, frozenset())
        for grantee in GRANTEES:
            row = app_conn.execute(
                "select has_function_privilege(%s, %s::oid, 'EXECUTE')", (grantee, oid)
            ).fetchone()
            assert row is not None
            if bool(row[0]) != (grantee in allowed):
                wrong.append(f"{grantee} {'can' if row[0] else 'cannot'} execute {signature}")
    assert wrong == [], f"{len(wrong)} wrong privileges:\n" + "\n".join(wrong)


@pytest.mark.parametrize("function", sorted(IDENTITY_CALLS))
def test_pipeline_cannot_call_identity_functions(pipeline_conn: Conn, function: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege), pipeline_conn.transaction():
        pipeline_conn.execute(IDENTITY_CALLS[function], {"id": uuid4()})


@pytest.mark.parametrize("function", sorted(IDENTITY_CALLS))
def test_dagster_cannot_call_identity_functions(dagster_conn: Conn, function: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege), dagster_conn.transaction():
        dagster_conn.execute(IDENTITY_CALLS[function], {"id": uuid4()})


def _table_privileges(conn: Conn, role: str, schemas: list[str] | None) -> dict[str, str]:
    """relation → its privileges for `role`: whole-table ones, then per-column ones, e.g.
    "SELECT, UPDATE(next_run_at)". Relations on which `role` has nothing are left out.
    `schemas` None: every schema but the system ones and Dagster's own."""
    relations = conn.execute(
        "select c.oid::int, n.nspname || '.' || c.relname from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace"
        " where c.relkind in ('r', 'p', 'v', 'm', 'f')"
        " and (n.nspname = any(%s) or (%s and n.nspname not in"
        "      ('pg_catalog', 'information_schema', 'pg_toast', %s)"
        "      and n.nspname not like 'pg_temp%%' and n.nspname not like 'pg_toast_temp%%'))"
        " order by 2",
        (schemas or [], schemas is None, DAGSTER_SCHEMA),
    ).fetchall()
    found: dict[str, str] = {}
    for oid, name in relations:
        held: list[str] = []
        for privilege in TABLE_PRIVILEGES:
            row = conn.execute(
                "select has_table_privilege(%s, %s::oid, %s)", (role, oid, privilege)
            ).fetchone()
            assert row is not None
            if row[0]:
                held.append(privilege)
                continue
            if privilege not in COLUMN_PRIVILEGES:
                continue
            columns = conn.execute(
                "select a.attname from pg_attribute a where a.attrelid = %s::oid"
                " and a.attnum > 0 and not a.attisdropped"
                " and has_column_privilege(%s, a.attrelid, a.attnum, %s) order by 1",
                (oid, role, privilege),
            ).fetchall()
            if columns:
                held.append(f"{privilege}({', '.join(str(c[0]) for c in columns)})")
        if held:
            found[str(name)] = ", ".join(held)
    return found


def test_pipeline_table_privileges_are_exactly_what_it_uses(app_conn: Conn) -> None:
    found = _table_privileges(app_conn, DbRole.PIPELINE.value, list(OUR_SCHEMAS))
    assert found == EXPECTED_PIPELINE_TABLES


def test_dagster_holds_nothing_outside_its_schema(app_conn: Conn) -> None:
    assert _table_privileges(app_conn, DbRole.DAGSTER.value, None) == {}
    schemas = app_conn.execute(
        "select n.nspname, has_schema_privilege(%(role)s, n.oid, 'USAGE'),"
        " has_schema_privilege(%(role)s, n.oid, 'CREATE')"
        " from pg_namespace n where n.nspname = any(%(schemas)s) or n.nspname = 'public'"
        " order by 1",
        {"role": DbRole.DAGSTER.value, "schemas": list(OUR_SCHEMAS)},
    ).fetchall()
    # `public` USAGE is PostgreSQL's default and holds only Alembic's version table, ungranted.
    assert schemas == [
        ("carrier", False, False),
        ("platform", False, False),
        ("public", True, False),
        ("tenant", False, False),
    ]


def test_pipeline_cannot_reach_dagster_storage(app_conn: Conn) -> None:
    row = app_conn.execute(
        "select has_schema_privilege(%s, %s, 'USAGE'), has_schema_privilege(%s, %s, 'CREATE')",
        (DbRole.PIPELINE.value, DAGSTER_SCHEMA, DbRole.PIPELINE.value, DAGSTER_SCHEMA),
    ).fetchone()
    assert row == (False, False)


def test_no_login_role_is_privileged(app_conn: Conn) -> None:
    rows = app_conn.execute(
        "select rolname, rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb,"
        " rolinherit, rolreplication from pg_roles where rolname = any(%s) order by 1",
        ([r.value for r in DbRole] + [AUTH_ROLE],),
    ).fetchall()
    assert rows == sorted(
        [(r.value, True, False, False, False, False, False, False) for r in DbRole]
        + [(AUTH_ROLE, False, False, False, False, False, True, False)]
    )


def test_the_only_role_membership_is_the_migrator_in_the_auth_role(app_conn: Conn) -> None:
    """No login role is granted another role (pg_read_all_data, pg_write_server_files, ...)
    except the migrator's NOINHERIT membership of draxis_auth, which ALTER ... OWNER needs."""
    roles = [r.value for r in DbRole] + [AUTH_ROLE]
    rows = app_conn.execute(
        "select pg_get_userbyid(m.roleid), pg_get_userbyid(m.member) from pg_auth_members m"
        " where pg_get_userbyid(m.member) = any(%s) or pg_get_userbyid(m.roleid) = any(%s)",
        (roles, roles),
    ).fetchall()
    assert rows == [(AUTH_ROLE, DbRole.MIGRATOR.value)]


def test_only_the_migrator_dagster_and_auth_roles_own_anything(app_conn: Conn) -> None:
    owned = app_conn.execute(
        """
        select r.rolname, kind, n.nspname from (
            select c.relowner, 'relation', c.relnamespace from pg_class c
            union all select p.proowner, 'function', p.pronamespace from pg_proc p
            union all select t.typowner, 'type', t.typnamespace from pg_type t
            union all select n.nspowner, 'schema', n.oid from pg_namespace n
        ) o (owner, kind, ns)
        join pg_roles r on r.oid = o.owner join pg_namespace n on n.oid = o.ns
        where r.rolname = any(%s)
        group by 1, 2, 3 order by 1, 2, 3
        """,
        ([r.value for r in DbRole] + [AUTH_ROLE],),
    ).fetchall()
    by_role: dict[str, set[tuple[str, str]]] = {}
    for role, kind, schema in owned:
        by_role.setdefault(str(role), set()).add((str(kind), str(schema)))
    assert DbRole.APP.value not in by_role
    assert DbRole.PIPELINE.value not in by_role
    assert by_role[AUTH_ROLE] == {("function", "platform")}
    assert {schema for _, schema in by_role.get(DbRole.DAGSTER.value, set())} <= {
        DAGSTER_SCHEMA,
        "pg_toast",
    }
    assert {schema for _, schema in by_role[DbRole.MIGRATOR.value]} <= {
        *OUR_SCHEMAS,
        "public",
        "pg_toast",
    }


def test_functions_the_migrator_creates_are_closed_by_default(app_conn: Conn) -> None:
    """A function a future migration creates (and hands to draxis_auth) is not executable by
    PUBLIC until someone grants it on purpose."""
    rows = app_conn.execute(
        "select pg_get_userbyid(d.defaclrole), d.defaclacl::text[] from pg_default_acl d"
        " where d.defaclobjtype = 'f' and d.defaclnamespace = 0 order by 1"
    ).fetchall()
    assert rows == [
        (AUTH_ROLE, [f"{AUTH_ROLE}=X/{AUTH_ROLE}"]),
        (DbRole.MIGRATOR.value, [f"{DbRole.MIGRATOR.value}=X/{DbRole.MIGRATOR.value}"]),
    ]


def test_only_the_app_reads_a_respondents_token(app_conn: Conn) -> None:
    """`platform.current_respondent()` (the vendor link's token hash, migration 0022) runs for
    the app, whose respondent policies call it, and for no other login role."""
    roles = [r.value for r in (DbRole.APP, DbRole.PIPELINE, DbRole.DAGSTER)]
    rows = app_conn.execute(
        "select r, has_function_privilege(r, 'platform.current_respondent()', 'EXECUTE')"
        " from unnest(%s::text[]) r order by r",
        (roles,),
    ).fetchall()
    assert dict(rows) == {
        DbRole.APP.value: True,
        DbRole.PIPELINE.value: False,
        DbRole.DAGSTER.value: False,
    }


def test_functions_public_may_run_are_the_scope_accessors_and_triggers(app_conn: Conn) -> None:
    """What PUBLIC may still execute in our schemas: the invoker-rights scope accessors that
    every role's policies call, and trigger functions (which cannot be called directly)."""
    rows = app_conn.execute(
        "select p.oid::regprocedure::text, p.prosecdef, p.prorettype = 'trigger'::regtype"
        " from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
        " where n.nspname = any(%s) and has_function_privilege('public', p.oid, 'EXECUTE')"
        " order by 1",
        (list(OUR_SCHEMAS),),
    ).fetchall()
    assert rows == [
        ("platform.current_carrier_id()", False, False),
        ("platform.current_org_id()", False, False),
        ("platform.current_scope()", False, False),
        ("platform.current_tenant_id()", False, False),
        ("platform.current_user_id()", False, False),
        ("tenant.bump_model_revision()", False, True),
        ("tenant.panel_message_session_open()", False, True),
    ]


def test_database_privileges(app_conn: Conn) -> None:
    """Every role connects; only the pipeline creates temporary tables (its COPY staging), only
    the migrator creates schemas."""
    rows = app_conn.execute(
        "select r, has_database_privilege(r, current_database(), 'CONNECT'),"
        " has_database_privilege(r, current_database(), 'TEMPORARY'),"
        " has_database_privilege(r, current_database(), 'CREATE')"
        " from unnest(%s::text[]) r order by 1",
        ([PUBLIC, *(r.value for r in DbRole)],),
    ).fetchall()
    assert rows == [
        (DbRole.APP.value, True, False, False),
        (DbRole.DAGSTER.value, True, False, False),
        (DbRole.MIGRATOR.value, True, False, True),
        (DbRole.PIPELINE.value, True, True, False),
        (PUBLIC, False, False, False),
    ]


def test_in_public_the_app_reads_the_schema_revision_and_nothing_else(app_conn: Conn) -> None:
    """`/ready` compares the database's Alembic revision with the release's (revision 0013):
    SELECT on that one-row table, nothing more, and no other role holds anything there."""
    assert _table_privileges(app_conn, DbRole.APP.value, [PUBLIC]) == {
        "public.alembic_version": "SELECT"
    }
    for role in (DbRole.PIPELINE, DbRole.DAGSTER):
        assert _table_privileges(app_conn, role.value, [PUBLIC]) == {}
