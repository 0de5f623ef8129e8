"""The write tools: record a manual KRI value, create or update a risk, link a KRI to a risk,
add a memory fact. They need a read + write token (403 `insufficient_scope` otherwise, see
`api.mcp.auth`) and a role that may write; each is one audited transaction that calls the same
function as its REST route, so the rules and the audit rows are the REST API's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from api.access import Tx
from api.crud import create_item, patch_item
from api.mcp.runtime import ToolRuntime
from api.mcp.tools_read import kri_id
from api.risk_status import require_acceptance_for_accepted
from api.routes.inbound import Accepted, ManualValue, enter_value
from api.routes.memory_facts import create_fact
from api.routes.risk_model import RISKS
from api.schemas.memory import FactIn, FactOut
from api.schemas.risk_model import RiskIn, RiskOut, RiskPatch, RiskStatus
from draxis.security.permissions import Permission

P = Permission
WRITE_TOOLS = frozenset({"record_kri_value", "upsert_risk", "link_kri_to_risk", "add_memory_fact"})
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{1,79}$", description="snake_case slug")]


class RiskWritten(BaseModel):
    created: bool
    risk: RiskOut


class Linked(BaseModel):
    kri_slug: str
    risk_slug: str
    already_linked: bool


def _risk_id(tx: Tx, slug: str) -> UUID | None:
    row = tx.conn.execute("select id from tenant.risk where slug = %s", (slug,)).fetchone()
    return None if row is None else UUID(str(row[0]))


def record_value(
    tx: Tx, slug: str, value: float, observed_at: datetime | None, note: str | None
) -> Accepted:
    row = tx.conn.execute(
        "select s.id, s.source_type from tenant.kri k"
        " left join tenant.kri_source s on s.id = k.source_id where k.id = %s",
        (kri_id(tx, slug),),
    ).fetchone()
    if row is None or row[0] is None or row[1] != "manual":
        raise ToolError(f"KRI {slug!r} is not fed by a manual source; its values come from a feed.")
    stamp = None if observed_at is None else observed_at.isoformat()
    body = ManualValue(kri_slug=slug, value=value, observed_at=stamp, note=note)
    return enter_value(UUID(str(row[0])), body, tx)


def upsert(tx: Tx, slug: str, fields: dict[str, object]) -> RiskWritten:
    found = _risk_id(tx, slug)
    if found is None:
        if "title" not in fields:
            raise ToolError(f"No risk {slug!r} yet: give a title to create it.")
        created = create_item(tx, RISKS, RiskIn(slug=slug, **fields))
        require_acceptance_for_accepted(tx, created.id)
        return RiskWritten(created=True, risk=created)
    patched = patch_item(tx, RISKS, found, RiskPatch.model_validate(fields))
    require_acceptance_for_accepted(tx, found)
    return RiskWritten(created=False, risk=patched)


def link(tx: Tx, kri_slug: str, risk_slug: str) -> Linked:
    kri = kri_id(tx, kri_slug)
    risk = _risk_id(tx, risk_slug)
    if risk is None:
        raise ToolError(f"No risk {risk_slug!r} in your tenant; list_risks shows the slugs.")
    added = tx.conn.execute(
        "insert into tenant.kri_risk (tenant_id, kri_id, risk_id)"
        " values ((select platform.current_tenant_id()), %s, %s) on conflict do nothing",
        (kri, risk),
    ).rowcount
    if added:
        tx.audit(
            "risk.links_set",
            target_type="risk",
            target_id=risk,
            added={"kri_ids": [str(kri)]},
        )
    return Linked(kri_slug=kri_slug, risk_slug=risk_slug, already_linked=not added)


def register(server: MCPServer, runtime: ToolRuntime) -> None:
    """Add the write tools to `server`."""
    W = P.RISK_MODEL_WRITE  # noqa: N806 - the permission most write tools need, named short

    @server.tool()
    async def record_kri_value(
        kri_slug: Slug,
        value: float,
        observed_at: datetime | None = None,
        note: Annotated[str | None, Field(max_length=1000)] = None,
    ) -> Accepted:
        """Record one value of a manually entered KRI (one fed by a 'manual' source), e.g. a
        quarterly figure someone reported. Observed now unless `observed_at` (ISO 8601 with a
        time zone) says when. The value is staged and the pipeline recomputes the colour."""
        return await runtime.run(
            "record_kri_value",
            P.INTEGRATIONS_MANAGE,
            lambda tx: record_value(tx, kri_slug, value, observed_at, note),
            write=True,
        )

    @server.tool()
    async def upsert_risk(
        slug: Slug,
        title: Annotated[str | None, Field(min_length=1, max_length=200)] = None,
        description: Annotated[str | None, Field(max_length=4000)] = None,
        category: Annotated[str | None, Field(max_length=80)] = None,
        owner: Annotated[str | None, Field(max_length=200)] = None,
        status: RiskStatus | None = None,
    ) -> RiskWritten:
        """Create a risk (when no risk has this slug; a title is then required) or update the
        given fields of the existing one. Status is open, mitigating or closed; `accepted` only
        stays on a risk with an approved risk acceptance (requested and approved in the app)."""
        given = {"title": title, "description": description, "category": category,
                 "owner": owner, "status": status}  # fmt: skip
        fields: dict[str, object] = {k: v for k, v in given.items() if v is not None}
        return await runtime.run("upsert_risk", W, lambda tx: upsert(tx, slug, fields), write=True)

    @server.tool()
    async def link_kri_to_risk(kri_slug: Slug, risk_slug: Slug) -> Linked:
        """Link a KRI to a risk, so that the KRI's colour feeds the risk's score. Linking twice
        changes nothing."""
        return await runtime.run(
            "link_kri_to_risk", W, lambda tx: link(tx, kri_slug, risk_slug), write=True
        )

    @server.tool()
    async def add_memory_fact(
        key: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,119}$")],
        value: Annotated[str, Field(min_length=1, max_length=4000)],
        citation: Annotated[str, Field(min_length=1, max_length=500)],
    ) -> FactOut:
        """Add a fact to institutional memory (the panel reads it): a dotted key such as
        `backup.retention_days`, the fact in a sentence, and where it comes from."""
        return await runtime.run(
            "add_memory_fact",
            P.KNOWLEDGE_WRITE,
            lambda tx: create_fact(FactIn(key=key, value=value, citation=citation), tx),
            write=True,
        )
