"""The kit's sample questionnaire is a valid document and its assessment is visible by token."""

from __future__ import annotations

from draxis.db.scope import scoped_transaction
from draxis.tprm.document import QuestionnaireDocument
from tests.factories import Conn, TenantFixture
from tests.tprm.kit import SAMPLE, send


def test_the_sample_is_a_valid_document() -> None:
    document = QuestionnaireDocument.model_validate(SAMPLE)
    assert len(list(document.questions())) == 7


def test_a_token_shows_its_assessment_and_the_tenant_scope_shows_it_too(
    app_conn: Conn, tenant_a: TenantFixture
) -> None:
    sent = send(app_conn, tenant_a)
    with scoped_transaction(app_conn, sent.scope, read_only=True):
        rows = app_conn.execute("select id from tenant.assessment").fetchall()
        versions = app_conn.execute("select version from tenant.questionnaire_version").fetchall()
    assert rows == [(sent.assessment_id,)]
    assert versions == [(1,)]
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        assert app_conn.execute("select count(*) from tenant.assessment").fetchone() == (1,)
