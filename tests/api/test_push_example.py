"""The push example the web client shows with a new token works as pasted (web/src/integrations.ts
`pushCurl`: a wired slug, a value, no date: the API takes the time of receipt)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_inbound import add_source, admin
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer

# Exactly the `-d` body of pushCurl for a source whose first wired KRI is siem_alert_backlog.
EXAMPLE_BODY = '{"values":[{"kri_slug":"siem_alert_backlog","value":12}]}'


def test_the_push_example_is_accepted_as_pasted(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    headers = admin(client, tenant_a)
    source = add_source(
        client, headers, "external-push", ["siem_alert_backlog"], app_conn, tenant_a
    )
    token = client.post(f"/api/sources/{source}/push-token", headers=headers).json()["token"]
    pushed = client.post(
        "/api/push/kri-values",
        content=EXAMPLE_BODY,
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert pushed.status_code == 202, pushed.text
    assert pushed.json()["accepted"] == 1
