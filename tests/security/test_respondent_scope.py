"""The leak probe of the respondent scope: a vendor link's token sees its one assessment and
nothing else, in any table of any schema, and writes nowhere else.

Two tenants and several assessments are present (same vendor, another vendor of the same tenant,
another tenant), each with answers and evidence. Under one token's scope, every table of the
platform, tenant and carrier schemas (from `pg_tables`) is counted as the app role; a table the
app role may not read at all counts as unreachable.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import psycopg
import pytest

from draxis.db.scope import Scope, scoped_transaction
from tests.factories import Conn, TenantFixture
from tests.tprm.kit import Sent, send
from tests.tprm.respond_kit import PDF


@dataclass(frozen=True, slots=True)
class World:
    mine: Sent
    same_vendor: Sent
    other_vendor: Sent
    other_tenant: Sent
    tenant_a: TenantFixture
    tenant_b: TenantFixture


def _furnish(conn: Conn, tenant: TenantFixture, sent: Sent, answers: int) -> None:
    """`answers` answers and one evidence file, written by the tenant (as the product's reviewer
    tests would), so that every assessment has rows hanging off it."""
    values = [("mfa", True), ("staff", 3), ("ir", "Within a day.")][:answers]
    with scoped_transaction(conn, tenant.scope):
        for question_id, value in values:
            conn.execute(
                "insert into tenant.assessment_answer (tenant_id, assessment_id, question_id,"
                " value) values (%s, %s, %s, %s)",
                (tenant.id, sent.assessment_id, question_id, json.dumps(value)),
            )
        conn.execute(
            "insert into tenant.assessment_evidence (tenant_id, assessment_id, question_id,"
            " filename, content_type, size_bytes, sha256, content)"
            " values (%s, %s, 'soc2', 'r.pdf', 'application/pdf', %s, sha256(%s), %s)",
            (tenant.id, sent.assessment_id, len(PDF), PDF, PDF),
        )


@pytest.fixture
def world(app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture) -> World:
    mine = send(app_conn, tenant_a)
    same_vendor = send(app_conn, tenant_a, vendor_id=mine.vendor_id)
    other_vendor = send(app_conn, tenant_a, questionnaire_id=mine.questionnaire_id)
    other_tenant = send(app_conn, tenant_b)
    _furnish(app_conn, tenant_a, mine, 2)
    for sent, tenant in (
        (same_vendor, tenant_a),
        (other_vendor, tenant_a),
        (other_tenant, tenant_b),
    ):
        _furnish(app_conn, tenant, sent, 3)
    return World(mine, same_vendor, other_vendor, other_tenant, tenant_a, tenant_b)


def _tables(conn: Conn) -> list[str]:
    rows = conn.execute(
        "select schemaname || '.' || tablename from pg_tables"
        " where schemaname in ('platform', 'tenant', 'carrier') order by 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def _visible(conn: Conn, scope: Scope) -> dict[str, int | None]:
    """Rows of every table the scope sees; None where the app role may not read the table."""
    seen: dict[str, int | None] = {}
    with scoped_transaction(conn, scope, read_only=True):
        for table in _tables(conn):
            try:
                with conn.transaction():  # a savepoint: a refusal does not end the probe
                    row = conn.execute(f"select count(*) from {table}").fetchone()
                    seen[table] = int(row[0]) if row else 0
            except psycopg.errors.InsufficientPrivilege:
                seen[table] = None
    return seen


def test_one_token_sees_exactly_its_own_assessment_in_every_table(
    app_conn: Conn, world: World
) -> None:
    seen = _visible(app_conn, world.mine.scope)
    assert len(seen) > 60, "the probe found too few tables to mean anything"
    expected = {
        "tenant.assessment": 1,
        "tenant.questionnaire_version": 1,
        "tenant.assessment_answer": 2,
        "tenant.assessment_evidence": 1,
    }
    leaks = {
        table: count
        for table, count in seen.items()
        if count is not None and count != expected.get(table, 0)
    }
    assert leaks == {}
    with scoped_transaction(app_conn, world.mine.scope, read_only=True):
        ids = {
            r[0]
            for t in ("assessment_answer", "assessment_evidence")
            for r in app_conn.execute(f"select assessment_id from tenant.{t}")
        }
        assessment = app_conn.execute("select id, tenant_id from tenant.assessment").fetchall()
    assert ids == {world.mine.assessment_id}
    assert assessment == [(world.mine.assessment_id, world.tenant_a.id)]


def test_every_other_scope_of_the_probe_sees_its_own_assessment_only(
    app_conn: Conn, world: World
) -> None:
    for sent, tenant in (
        (world.same_vendor, world.tenant_a),
        (world.other_vendor, world.tenant_a),
        (world.other_tenant, world.tenant_b),
    ):
        with scoped_transaction(app_conn, sent.scope, read_only=True):
            assessment = app_conn.execute("select id, tenant_id from tenant.assessment").fetchall()
            answers = app_conn.execute(
                "select distinct assessment_id from tenant.assessment_answer"
            ).fetchall()
        assert assessment == [(sent.assessment_id, tenant.id)]
        assert answers == [(sent.assessment_id,)]


def test_a_token_cannot_write_to_another_assessment(app_conn: Conn, world: World) -> None:
    for other, tenant in (
        (world.same_vendor, world.tenant_a),
        (world.other_tenant, world.tenant_b),
    ):
        for statement, params in (
            (
                "insert into tenant.assessment_answer (tenant_id, assessment_id, question_id,"
                " value) values (%s, %s, 'pentest', '\"2026-01-01\"')",
                (tenant.id, other.assessment_id),
            ),
            (
                "insert into tenant.assessment_evidence (tenant_id, assessment_id, question_id,"
                " filename, content_type, size_bytes, sha256, content)"
                " values (%s, %s, 'soc2', 'x.pdf', 'application/pdf', 1, sha256('x'), 'x')",
                (tenant.id, other.assessment_id),
            ),
            (
                "insert into tenant.audit_log (tenant_id, scope, action, target_type, target_id)"
                " values (%s, 'respondent', 'assessment.submitted', 'assessment', %s)",
                (tenant.id, str(other.assessment_id)),
            ),
        ):
            with (
                pytest.raises(psycopg.errors.InsufficientPrivilege),
                scoped_transaction(app_conn, world.mine.scope),
            ):
                app_conn.execute(statement, params)
        with scoped_transaction(app_conn, world.mine.scope):
            changed = [
                app_conn.execute(
                    "update tenant.assessment_answer set value = 'false' where assessment_id = %s",
                    (other.assessment_id,),
                ).rowcount,
                app_conn.execute(
                    "delete from tenant.assessment_evidence where assessment_id = %s",
                    (other.assessment_id,),
                ).rowcount,
                app_conn.execute(
                    "update tenant.assessment set status = 'submitted', submitted_at = now()"
                    " where id = %s",
                    (other.assessment_id,),
                ).rowcount,
            ]
        assert changed == [0, 0, 0]


def test_the_respondent_cannot_reopen_or_move_its_own_assessment(
    app_conn: Conn, world: World
) -> None:
    """The update policy only lets the respondent move its open assessment forward."""
    for assignment in (
        "status = 'completed', completed_at = now(), submitted_at = now()",
        "status = 'cancelled', cancelled_at = now()",
        "status = 'sent'",
    ):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            scoped_transaction(app_conn, world.mine.scope),
        ):
            app_conn.execute(f"update tenant.assessment set {assignment}")


def _see(conn: Conn, scope: Scope) -> dict[str, int | None]:
    seen = _visible(conn, scope)
    return {t: n for t, n in seen.items() if n}


@pytest.mark.parametrize("ending", ["submitted", "cancelled", "expired", "resent", "completed"])
def test_after_the_assessment_closes_or_is_resent_the_old_token_sees_nothing(
    app_conn: Conn, world: World, ending: str
) -> None:
    change = {
        "submitted": "status = 'submitted', submitted_at = now(), link_sealed = null",
        "cancelled": "status = 'cancelled', cancelled_at = now(), link_sealed = null",
        "expired": "token_expires_at = now() - interval '1 second'",
        "resent": "token_hash = %(new)s, token_expires_at = now() + interval '30 days'",
        "completed": (
            "status = 'completed', submitted_at = now(), completed_at = now(), link_sealed = null"
        ),
    }[ending]
    new_token = secrets.token_urlsafe(32)
    new_digest = hashlib.sha256(new_token.encode()).digest()
    with scoped_transaction(app_conn, world.tenant_a.scope):
        app_conn.execute(
            f"update tenant.assessment set {change} where id = %(id)s",
            {"new": new_digest, "id": world.mine.assessment_id},
        )
    assert _see(app_conn, world.mine.scope) == {}
    if ending == "resent":
        assert _see(app_conn, Scope.respondent_of(new_digest))["tenant.assessment"] == 1


def test_an_expiring_link_is_refused_the_moment_it_expires(
    app_conn: Conn, tenant_a: TenantFixture
) -> None:
    gone = send(app_conn, tenant_a, expires_in=timedelta(seconds=-1))
    assert _see(app_conn, gone.scope) == {}


def test_a_random_digest_sees_nothing(app_conn: Conn, world: World) -> None:
    assert _see(app_conn, Scope.respondent_of(secrets.token_bytes(32))) == {}


def test_the_tenant_scope_does_not_reach_through_to_another_tenants_assessments(
    app_conn: Conn, world: World
) -> None:
    with scoped_transaction(app_conn, world.tenant_a.scope, read_only=True):
        ids = {r[0] for r in app_conn.execute("select id from tenant.assessment")}
    assert world.other_tenant.assessment_id not in ids
    assert UUID(str(world.mine.assessment_id)) in ids
