"""`/api/dashboard`: the tenant's KRIs with value, colour and last update.

Colours come from `tenant.kri_status`, written by the pipeline; the API never computes rollups.
A KRI the pipeline has not assessed yet reads as `no_data`, never green.

The body is the document `draxis.dashboard_document` builds in SQL in the shape of `Dashboard`:
stored by the pipeline with the rollups and served with one indexed read while it is current,
else built live by the same SQL in the request's read-only transaction.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict

from api.access import Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.severity import SeverityCounts
from draxis.dashboard_document import StoredRead, read_dashboard
from draxis.kri import Direction, KriStatus
from draxis.security.permissions import Permission
from draxis.severity import Severity

router = APIRouter(prefix="/api", tags=["dashboard"], responses=problem_responses(404))
Reader = Annotated[Tx, tenant_scope(Permission.DASHBOARD_READ)]


class TenantRef(BaseModel):
    id: UUID
    name: str


class KriTile(BaseModel):
    id: UUID
    slug: str
    name: str
    description: str
    unit: str
    direction: Direction
    warn: float
    critical: float
    value: float | None
    status: KriStatus
    observed_at: datetime | None
    source: str | None


class StatusCounts(BaseModel):
    green: int = 0
    amber: int = 0
    red: int = 0
    stale: int = 0
    no_data: int = 0


class Posture(BaseModel):
    """The tenant's rollup as the pipeline last computed it (`tenant.tenant_posture`)."""

    score: float | None
    stale_share: float
    risks: SeverityCounts
    computed_at: datetime


class RiskSummary(BaseModel):
    id: UUID
    title: str
    status: str
    score: float | None
    severity: Severity
    # Accepted until this UTC day, as stored with the posture (null: not accepted); an
    # accepted risk keeps its place among the top risks (docs/risk-acceptance.md).
    accepted_until: date | None = None


class OutcomeSummary(BaseModel):
    id: UUID
    name: str
    score: float | None
    severity: Severity


class Dashboard(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tenant": {"id": "0eb139c5-bf9a-4a58-bff9-b4a49c24ff2a", "name": "Acme Health"},
                    "generated_at": "2026-11-26T12:00:00Z",
                    "counts": {"green": 3, "amber": 6, "red": 2, "stale": 1, "no_data": 1},
                    "kris": [
                        {
                            "id": "6b1abfd7-d5b7-4990-b607-9eb1bd6c2098",
                            "slug": "critical_cves_unpatched_gt_30d",
                            "name": "Critical CVEs unpatched > 30 days",
                            "description": "Critical-severity vulnerabilities open for more "
                            "than 30 days.",
                            "unit": "count",
                            "direction": "higher_is_worse",
                            "warn": 5,
                            "critical": 15,
                            "value": 18,
                            "status": "red",
                            "observed_at": "2026-11-26T00:00:00Z",
                            "source": "Demo data",
                        }
                    ],
                    "posture": {
                        "score": 61.5,
                        "stale_share": 0.08,
                        "risks": {"critical": 1, "high": 2, "medium": 1, "low": 0, "unassessed": 1},
                        "computed_at": "2026-11-26T00:05:00Z",
                    },
                    "top_risks": [
                        {
                            "id": "2f1e0c9d-8b7a-4c6d-9e5f-1a2b3c4d5e6f",
                            "title": "Ransomware takes the store offline",
                            "status": "mitigating",
                            "score": 86.25,
                            "severity": "critical",
                        }
                    ],
                    "outcomes": [
                        {
                            "id": "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f",
                            "name": "Keep the online store available",
                            "score": 86.25,
                            "severity": "critical",
                        }
                    ],
                }
            ]
        }
    )

    tenant: TenantRef
    generated_at: datetime
    counts: StatusCounts
    kris: list[KriTile]
    posture: Posture | None  # null until the pipeline has rolled the tenant up
    top_risks: list[RiskSummary]
    outcomes: list[OutcomeSummary]


@router.get("/dashboard", response_model=Dashboard)
def dashboard(
    tx: Reader,
) -> Response:
    # The document's JSON text as stored (or built live in SQL when not current), sent as it is:
    # the `Dashboard` model above is the schema the SQL follows, not a step of every request.
    found = read_dashboard(tx.conn)
    if found is None:
        raise Problem(404, "Your tenant no longer exists.")
    return Response(content=assemble(found, datetime.now(UTC)), media_type="application/json")


def assemble(found: StoredRead, generated_at: datetime) -> bytes:
    """`{"tenant": ..., "generated_at": ..., <the document's members>}`, in the model's order."""
    if not found.body.startswith("{"):
        raise ValueError("a dashboard document is a JSON object")
    tenant = json.dumps({"id": found.tenant_id, "name": found.tenant_name}, ensure_ascii=False)
    stamp = generated_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    head = f'{{"tenant":{tenant},"generated_at":"{stamp}",'
    return (head + found.body[1:]).encode()
