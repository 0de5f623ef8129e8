"""Institutional memory through the real app and PostgreSQL (as the app role): facts, documents,
search, and the retrieval the panel uses. Every refusal is checked to write nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from api.downloads import content_disposition
from draxis.db.scope import scoped_transaction
from panel import documents as docs
from panel.retrieval import relevant_chunks, relevant_facts
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login
from tests.panel.test_documents import encrypted_pdf, make_pdf

Headers = dict[str, str]


class Answer(Protocol):
    """What the tests read of a test client's response (httpx or httpx2, whichever is in)."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def text(self) -> str: ...
    @property
    def content(self) -> bytes: ...
    def json(self) -> Any: ...


POLICY_MD = b"""\
# Data retention policy

This policy says how long Acme keeps data, and who may delete it.

## Backups

Backups of customer data are kept for thirty-five days and are encrypted at rest.

## Security logs

Firewall and identity-provider logs are kept for four hundred days in the SIEM.
"""
VENDOR_TXT = b"""\
Vendor management standard.

Every critical vendor is reviewed once a year by the procurement team.

Vendors handling personal data sign a data processing agreement.
"""

COUNTED = (
    "tenant.institutional_knowledge",
    "tenant.institutional_documents",
    "tenant.institutional_document_chunks",
    "tenant.audit_log",
)


@pytest.fixture
def admin(client: TestClient, tenant_a: TenantFixture) -> Headers:
    return bearer(login(client, tenant_a.user_email)["access_token"])


@pytest.fixture
def admin_b(client: TestClient, tenant_b: TenantFixture) -> Headers:
    return bearer(login(client, tenant_b.user_email)["access_token"])


@pytest.fixture
def reader(client: TestClient, app_conn: Conn, tenant_a: TenantFixture) -> Headers:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    return bearer(login(client, user.email)["access_token"])


def counts(observer: Conn) -> dict[str, int]:
    found = {}
    for table in COUNTED:
        row = observer.execute(f"select count(*) from {table}").fetchone()
        assert row is not None
        found[table] = int(row[0])
    return found


@contextmanager
def nothing_written(observer: Conn) -> Iterator[None]:
    before = counts(observer)
    yield
    assert counts(observer) == before


def problem(response: Answer, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["detail"]
    return body


def audit_rows(observer: Conn, tenant: TenantFixture, target: str) -> list[tuple[str, str]]:
    rows = observer.execute(
        "select action, detail::text from tenant.audit_log where tenant_id = %s"
        " and target_id = %s order by at, id",
        (tenant.id, target),
    ).fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def create_fact(client: TestClient, headers: Headers, **overrides: str) -> dict[str, Any]:
    body = {
        "key": "backup.retention_days",
        "value": "Backups are kept for 35 days.",
        "citation": "IT operations policy v4, section 6.2",
        **overrides,
    }
    response = client.post("/api/memory/facts", headers=headers, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def upload(
    client: TestClient,
    headers: Headers,
    filename: str,
    data: bytes,
    **form: str,
) -> Answer:
    response: Answer = client.post(
        "/api/memory/documents",
        headers=headers,
        files={"file": (filename, data, "application/octet-stream")},
        data=form,
    )
    return response


def uploaded(
    client: TestClient, headers: Headers, filename: str, data: bytes, **form: str
) -> dict[str, Any]:
    response = upload(client, headers, filename, data, **form)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# Facts -------------------------------------------------------------------------------------------


def test_fact_crud_round_trip(
    client: TestClient, admin: Headers, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    fact = create_fact(client, admin)
    assert fact["key"] == "backup.retention_days"
    assert fact["origin"] == "manual"
    assert fact["panel_session_id"] is None
    assert fact["author_user_id"]
    assert fact["created_at"] == fact["updated_at"]
    create_fact(client, admin, key="mfa.coverage", value="All staff use MFA.", citation="IdP")

    got = client.get(f"/api/memory/facts/{fact['id']}", headers=admin)
    assert got.status_code == 200
    assert got.json() == fact

    page = client.get("/api/memory/facts", headers=admin).json()
    assert [f["key"] for f in page["items"]] == ["backup.retention_days", "mfa.coverage"]
    assert (page["total"], page["limit"], page["offset"]) == (2, 50, 0)
    found = client.get("/api/memory/facts", headers=admin, params={"q": "MFA"}).json()
    assert [f["key"] for f in found["items"]] == ["mfa.coverage"]
    assert found["total"] == 1
    # `_` and `%` in q are literal characters, not wildcards.
    literal = client.get("/api/memory/facts", headers=admin, params={"q": "%"}).json()
    assert literal["total"] == 0
    second = client.get("/api/memory/facts", headers=admin, params={"limit": 1, "offset": 1})
    assert [f["key"] for f in second.json()["items"]] == ["mfa.coverage"]

    patched = client.patch(
        f"/api/memory/facts/{fact['id']}", headers=admin, json={"value": "Kept for 90 days."}
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert body["value"] == "Kept for 90 days."
    assert (body["key"], body["citation"]) == (fact["key"], fact["citation"])
    assert body["updated_at"] > fact["updated_at"]

    renamed = client.patch(
        f"/api/memory/facts/{fact['id']}",
        headers=admin,
        json={"key": "backup.retention", "citation": "Audit 2026"},
    ).json()
    assert (renamed["key"], renamed["citation"]) == ("backup.retention", "Audit 2026")

    deleted = client.delete(f"/api/memory/facts/{fact['id']}", headers=admin)
    assert deleted.status_code == 204
    problem(client.get(f"/api/memory/facts/{fact['id']}", headers=admin), 404)

    actions = [a for a, _ in audit_rows(observer_conn, tenant_a, fact["id"])]
    assert actions == [
        "memory.fact.create",
        "memory.fact.update",
        "memory.fact.update",
        "memory.fact.delete",
    ]


def test_a_taken_key_is_409_on_create_and_on_rename(
    client: TestClient, admin: Headers, observer_conn: Conn
) -> None:
    create_fact(client, admin)
    other = create_fact(client, admin, key="other.fact")
    with nothing_written(observer_conn):
        body = problem(
            client.post(
                "/api/memory/facts",
                headers=admin,
                json={"key": "backup.retention_days", "value": "x", "citation": "y"},
            ),
            409,
        )
        assert "backup.retention_days" in body["detail"]
        problem(
            client.patch(
                f"/api/memory/facts/{other['id']}",
                headers=admin,
                json={"key": "backup.retention_days"},
            ),
            409,
        )
    assert client.get(f"/api/memory/facts/{other['id']}", headers=admin).json() == other


@pytest.mark.parametrize(
    "body",
    [
        {"key": "Upper.Case", "value": "v", "citation": "c"},
        {"key": "-leading", "value": "v", "citation": "c"},
        {"key": "k" * 121, "value": "v", "citation": "c"},
        {"key": "ok", "value": "", "citation": "c"},
        {"key": "ok", "value": "v" * 4001, "citation": "c"},
        {"key": "ok", "value": "v", "citation": ""},
        {"key": "ok", "value": "v", "citation": "c" * 501},
        {"key": "ok", "value": "nul\x00", "citation": "c"},
        {"key": "ok", "value": "v", "citation": "line\nbreak"},
        {"key": "ok", "value": "v"},
        {"key": "ok", "value": "v", "citation": "c", "origin": "panel_session"},
        {"key": "ok", "value": "v", "citation": "c", "tenant_id": "00000000-0000-0000-0000-0"},
    ],
)
def test_invalid_facts_are_422(
    client: TestClient, admin: Headers, observer_conn: Conn, body: dict[str, str]
) -> None:
    with nothing_written(observer_conn):
        problem(client.post("/api/memory/facts", headers=admin, json=body), 422)


def test_patch_refuses_nulls_and_unknown_fields_and_unknown_ids(
    client: TestClient, admin: Headers, observer_conn: Conn
) -> None:
    fact = create_fact(client, admin)
    path = f"/api/memory/facts/{fact['id']}"
    with nothing_written(observer_conn):
        problem(client.patch(path, headers=admin, json={"value": None}), 422)
        problem(client.patch(path, headers=admin, json={"origin": "panel_session"}), 422)
        missing = "/api/memory/facts/00000000-0000-0000-0000-000000000000"
        problem(client.patch(missing, headers=admin, json={"value": "x"}), 404)
        problem(client.delete(missing, headers=admin), 404)
        problem(client.get(missing, headers=admin), 404)
        # An empty patch, or one that changes nothing, is not a change: nothing is audited.
        assert client.patch(path, headers=admin, json={}).json() == fact
        same = client.patch(path, headers=admin, json={"value": fact["value"]})
        assert same.json() == fact


# Documents ---------------------------------------------------------------------------------------


def test_markdown_upload_round_trip(
    client: TestClient, admin: Headers, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    document = uploaded(client, admin, "retention-policy.md", POLICY_MD)
    assert document["title"] == "retention-policy"
    assert document["filename"] == "retention-policy.md"
    assert document["media_type"] == "text/markdown"
    assert document["byte_size"] == len(POLICY_MD)
    assert document["sha256"] == hashlib.sha256(POLICY_MD).hexdigest()
    assert document["page_count"] is None
    assert document["citation"] is None
    assert document["chunk_count"] == 3
    assert document["uploaded_by"]

    detail = client.get(f"/api/memory/documents/{document['id']}", headers=admin).json()
    assert {k: v for k, v in detail.items() if k != "chunks"} == document
    assert [(c["chunk_no"], c["heading"], c["page"]) for c in detail["chunks"]] == [
        (0, "Data retention policy", None),
        (1, "Backups", None),
        (2, "Security logs", None),
    ]
    assert detail["chunks"][1]["content"].startswith("Backups of customer data")
    assert document["char_count"] == sum(len(c["content"]) for c in detail["chunks"])

    content = client.get(f"/api/memory/documents/{document['id']}/content", headers=admin)
    assert content.status_code == 200
    assert content.content == POLICY_MD
    assert content.headers["content-type"].startswith("text/markdown")
    assert content.headers["content-disposition"].startswith(
        'attachment; filename="retention-policy.md"'
    )

    (action, detail_text) = audit_rows(observer_conn, tenant_a, document["id"])[0]
    assert action == "memory.document.upload"
    assert document["sha256"] in detail_text
    assert "retention-policy.md" in detail_text
    assert "thirty-five" not in detail_text  # never the document's text


def test_title_and_citation_come_from_the_form(client: TestClient, admin: Headers) -> None:
    document = uploaded(
        client, admin, "vendors.txt", VENDOR_TXT, title=" Vendor standard ", citation="VM-1 v2"
    )
    assert (document["title"], document["citation"]) == ("Vendor standard", "VM-1 v2")
    assert document["media_type"] == "text/plain"


def test_documents_are_listed_newest_first(client: TestClient, admin: Headers) -> None:
    first = uploaded(client, admin, "policy.md", POLICY_MD)
    second = uploaded(client, admin, "vendors.txt", VENDOR_TXT)
    page = client.get("/api/memory/documents", headers=admin).json()
    assert [d["id"] for d in page["items"]] == [second["id"], first["id"]]
    assert page["total"] == 2
    assert "chunks" not in page["items"][0]
    limited = client.get("/api/memory/documents", headers=admin, params={"limit": 1}).json()
    assert [d["id"] for d in limited["items"]] == [second["id"]]


def test_the_same_file_twice_is_409_naming_the_first(
    client: TestClient, admin: Headers, observer_conn: Conn
) -> None:
    first = uploaded(client, admin, "policy.md", POLICY_MD, title="Retention")
    with nothing_written(observer_conn):
        body = problem(upload(client, admin, "copy-of-policy.md", POLICY_MD), 409)
    assert body["document_id"] == first["id"]
    assert "Retention" in body["detail"]


def test_a_document_is_deleted_with_its_chunks(
    client: TestClient, admin: Headers, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    document = uploaded(client, admin, "policy.md", POLICY_MD)
    before = counts(observer_conn)["tenant.institutional_document_chunks"]
    response = client.delete(f"/api/memory/documents/{document['id']}", headers=admin)
    assert response.status_code == 204
    assert counts(observer_conn)["tenant.institutional_document_chunks"] == before - 3
    for path in ("", "/content"):
        problem(client.get(f"/api/memory/documents/{document['id']}{path}", headers=admin), 404)
    problem(client.delete(f"/api/memory/documents/{document['id']}", headers=admin), 404)
    rows = audit_rows(observer_conn, tenant_a, document["id"])
    assert [a for a, _ in rows] == ["memory.document.upload", "memory.document.delete"]
    assert document["sha256"] in rows[1][1]
    assert "thirty-five" not in rows[1][1]
    # Deleted, the same file may be uploaded again.
    uploaded(client, admin, "policy.md", POLICY_MD)


def test_over_ten_megabytes_is_413(client: TestClient, admin: Headers, observer_conn: Conn) -> None:
    with nothing_written(observer_conn):
        body = problem(upload(client, admin, "huge.txt", b"a" * (docs.MAX_UPLOAD_BYTES + 1)), 413)
    assert "10 MB" in body["detail"]


def test_exactly_ten_megabytes_is_not_refused_for_its_size(
    client: TestClient, admin: Headers, observer_conn: Conn
) -> None:
    # At the limit the size is fine; this much text is refused for its chunk count instead.
    with nothing_written(observer_conn):
        body = problem(upload(client, admin, "big.txt", b"a " * (docs.MAX_UPLOAD_BYTES // 2)), 413)
    assert "chunks" in body["detail"]


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("policy.docx", b"PK\x03\x04 a zip"),
        ("image.png", b"\x89PNG\r\n"),
        ("no-extension", b"text"),
        ("renamed.pdf", b"plain text, not a PDF"),
    ],
)
def test_unsupported_types_are_415(
    client: TestClient, admin: Headers, observer_conn: Conn, filename: str, data: bytes
) -> None:
    with nothing_written(observer_conn):
        problem(upload(client, admin, filename, data), 415)


@pytest.mark.parametrize(
    ("filename", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"\n \n\t\n", "No text"),
        ("latin1.txt", "caf\u00e9".encode("latin-1"), "UTF-8"),
        ("scan.pdf", make_pdf([[], []]), "scanned"),
        ("locked.pdf", encrypted_pdf(), "encrypted"),
        ("broken.pdf", b"%PDF-1.7\ngarbage", "cannot be read"),
    ],
)
def test_files_without_extractable_text_are_422(
    client: TestClient,
    admin: Headers,
    observer_conn: Conn,
    filename: str,
    data: bytes,
    reason: str,
) -> None:
    with nothing_written(observer_conn):
        body = problem(upload(client, admin, filename, data), 422)
    assert reason in body["detail"]


def test_bad_form_fields_and_a_missing_file_are_422(
    client: TestClient, admin: Headers, observer_conn: Conn
) -> None:
    with nothing_written(observer_conn):
        problem(upload(client, admin, "p.md", POLICY_MD, title="t" * 201), 422)
        problem(upload(client, admin, "p.md", POLICY_MD, citation="bad\x07citation"), 422)
        problem(client.post("/api/memory/documents", headers=admin, data={"title": "x"}), 422)
        problem(client.post("/api/memory/documents", headers=admin, json={}), 422)


def test_pdf_upload_round_trip_keeps_page_numbers(client: TestClient, admin: Headers) -> None:
    pdf = make_pdf(
        [
            ["Incident response plan", "The CISO leads every incident response."],
            [],
            ["Ransomware", "Isolate infected hosts within fifteen minutes."],
        ]
    )
    document = uploaded(client, admin, "irp.pdf", pdf, citation="IRP v7")
    assert (document["media_type"], document["page_count"], document["chunk_count"]) == (
        "application/pdf",
        3,
        2,
    )
    detail = client.get(f"/api/memory/documents/{document['id']}", headers=admin).json()
    assert [(c["page"], c["content"].split("\n")[0]) for c in detail["chunks"]] == [
        (1, "Incident response plan"),
        (3, "Ransomware"),
    ]
    content = client.get(f"/api/memory/documents/{document['id']}/content", headers=admin)
    assert content.content == pdf
    assert content.headers["content-type"] == "application/pdf"
    hits = client.get(
        "/api/memory/search", headers=admin, params={"q": "infected ransomware hosts"}
    ).json()
    assert [(h["document_id"], h["page"]) for h in hits] == [(document["id"], 3)]


def test_download_names_are_safe_in_the_header(client: TestClient, admin: Headers) -> None:
    document = uploaded(client, admin, "C:\\fakepath\\Pol;icy ü.md", POLICY_MD)
    assert document["filename"] == "Pol;icy ü.md"
    assert document["title"] == "Pol;icy ü"
    content = client.get(f"/api/memory/documents/{document['id']}/content", headers=admin)
    assert content.headers["content-disposition"] == (
        "attachment; filename=\"Pol_icy _.md\"; filename*=UTF-8''Pol%3Bicy%20%C3%BC.md"
    )
    # A quote or a line break in a stored name cannot end the parameter or the header.
    assert content_disposition('a"b\r\nX-Evil: 1.md') == (
        "attachment; filename=\"a_b__X-Evil_ 1.md\"; filename*=UTF-8''a%22b%0D%0AX-Evil%3A%201.md"
    )


# Search and retrieval ----------------------------------------------------------------------------


def test_search_ranks_the_relevant_chunk_first(client: TestClient, admin: Headers) -> None:
    policy = uploaded(client, admin, "policy.md", POLICY_MD)
    vendors = uploaded(client, admin, "vendors.txt", VENDOR_TXT)
    # A long question: most of its words are in no document, and it still finds the chunk.
    question = "How many days do we keep the backups of our customers' data, and are they safe?"
    hits = client.get("/api/memory/search", headers=admin, params={"q": question}).json()
    assert hits[0]["document_id"] == policy["id"]
    assert (hits[0]["heading"], hits[0]["chunk_no"], hits[0]["title"]) == ("Backups", 1, "policy")
    assert hits[0]["rank"] > 0
    assert [h["rank"] for h in hits] == sorted((h["rank"] for h in hits), reverse=True)
    assert set(hits[0]) == {
        "document_id",
        "title",
        "chunk_no",
        "heading",
        "page",
        "content",
        "rank",
    }

    vendor = client.get(
        "/api/memory/search", headers=admin, params={"q": "who reviews critical vendors?"}
    ).json()
    assert vendor[0]["document_id"] == vendors["id"]
    one = client.get("/api/memory/search", headers=admin, params={"q": question, "limit": 1}).json()
    assert one == hits[:1]
    for q in ("the and of", "?!", "zyzzyva quux"):
        assert client.get("/api/memory/search", headers=admin, params={"q": q}).json() == []
    problem(client.get("/api/memory/search", headers=admin), 422)
    problem(client.get("/api/memory/search", headers=admin, params={"q": ""}), 422)
    problem(client.get("/api/memory/search", headers=admin, params={"q": "x", "limit": 0}), 422)


def test_relevant_chunks_and_facts_for_the_panel(
    client: TestClient, admin: Headers, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    uploaded(client, admin, "policy.md", POLICY_MD, citation="Retention policy v3")
    uploaded(client, admin, "vendors.txt", VENDOR_TXT)
    create_fact(client, admin, key="siem.vendor", value="The SIEM is Splunk Cloud.")
    create_fact(client, admin, key="backup.retention_days", value="Backups: 35 days.")
    create_fact(client, admin, key="board.meeting", value="The board meets quarterly.")
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        chunks = relevant_chunks(app_conn, "Where are firewall logs kept, and for how long?")
        assert chunks[0].heading == "Security logs"
        assert chunks[0].citation == "Retention policy v3"
        vendor = relevant_chunks(app_conn, "processing agreement for vendors", limit=1)
        assert [(c.title, c.citation, c.page) for c in vendor] == [
            ("vendors", "vendors (vendors.txt)", None)
        ]
        assert relevant_chunks(app_conn, "   ") == []
        assert relevant_chunks(app_conn, "with the and", limit=3) == []
        assert relevant_chunks(app_conn, "backups", limit=0) == []
        # Whatever the question holds is matched as words, never parsed as query syntax.
        hostile = "O'Reilly's back\\slash 'backups' & | ! <-> :* ( \x00 customer"
        assert [c.heading for c in relevant_chunks(app_conn, hostile, limit=1)] == ["Backups"]
        assert relevant_facts(app_conn, hostile, limit=1)[0].key == "backup.retention_days"

        facts = relevant_facts(app_conn, "How long are backups retained?", limit=10)
        # The matching fact first; the others follow, most recently updated first.
        assert [f.key for f in facts] == ["backup.retention_days", "board.meeting", "siem.vendor"]
        assert facts[0].citation == "IT operations policy v4, section 6.2"
        assert [f.key for f in relevant_facts(app_conn, "", limit=2)] == [
            "board.meeting",
            "backup.retention_days",
        ]
        assert relevant_facts(app_conn, "x", limit=0) == []


# Permissions and isolation -----------------------------------------------------------------------


def test_a_tenant_user_reads_but_cannot_write(
    client: TestClient, admin: Headers, reader: Headers, observer_conn: Conn
) -> None:
    fact = create_fact(client, admin)
    document = uploaded(client, admin, "policy.md", POLICY_MD)
    assert client.get("/api/memory/facts", headers=reader).json()["total"] == 1
    assert client.get(f"/api/memory/facts/{fact['id']}", headers=reader).status_code == 200
    assert client.get("/api/memory/documents", headers=reader).json()["total"] == 1
    path = f"/api/memory/documents/{document['id']}"
    assert client.get(path, headers=reader).status_code == 200
    assert client.get(f"{path}/content", headers=reader).status_code == 200
    assert client.get("/api/memory/search", headers=reader, params={"q": "backups"}).json()
    with nothing_written(observer_conn):
        problem(
            client.post(
                "/api/memory/facts",
                headers=reader,
                json={"key": "new.fact", "value": "v", "citation": "c"},
            ),
            403,
        )
        fact_path = f"/api/memory/facts/{fact['id']}"
        problem(client.patch(fact_path, headers=reader, json={"value": "x"}), 403)
        problem(client.delete(fact_path, headers=reader), 403)
        problem(upload(client, reader, "vendors.txt", VENDOR_TXT), 403)
        problem(client.delete(path, headers=reader), 403)


def test_another_tenant_cannot_see_or_touch_a_tenants_memory(
    client: TestClient, admin: Headers, admin_b: Headers, observer_conn: Conn
) -> None:
    fact = create_fact(client, admin)
    document = uploaded(client, admin, "policy.md", POLICY_MD)
    fact_path = f"/api/memory/facts/{fact['id']}"
    document_path = f"/api/memory/documents/{document['id']}"
    with nothing_written(observer_conn):
        assert client.get("/api/memory/facts", headers=admin_b).json()["total"] == 0
        assert client.get("/api/memory/documents", headers=admin_b).json()["total"] == 0
        assert (
            client.get("/api/memory/search", headers=admin_b, params={"q": "backups"}).json() == []
        )
        problem(client.get(fact_path, headers=admin_b), 404)
        problem(client.patch(fact_path, headers=admin_b, json={"value": "mine"}), 404)
        problem(client.delete(fact_path, headers=admin_b), 404)
        problem(client.get(document_path, headers=admin_b), 404)
        problem(client.get(f"{document_path}/content", headers=admin_b), 404)
        problem(client.delete(document_path, headers=admin_b), 404)
    # Tenant B may hold the same key and the same file: uniqueness is per tenant.
    own = create_fact(client, admin_b)
    assert own["id"] != fact["id"]
    assert uploaded(client, admin_b, "policy.md", POLICY_MD)["id"] != document["id"]
    assert client.get(fact_path, headers=admin).json() == fact
    assert client.get(document_path, headers=admin).status_code == 200
    ids = {
        UUID(h["document_id"])
        for h in client.get("/api/memory/search", headers=admin, params={"q": "backups"}).json()
    }
    assert ids == {UUID(document["id"])}
