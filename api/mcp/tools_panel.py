"""The expert panel as a tool, and the portfolio tools of master admins and carrier users.

`ask_expert_panel` opens a panel session and runs one turn through the same orchestrator as
`POST /api/panel-sessions/{id}/messages`: no transaction is held while the models think (each
write is its own short scoped transaction), and every step of the turn is sent to the client as
an MCP progress notification. The answer is the vCISO's synthesis with its rationale.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from api.mcp.runtime import ToolRuntime
from api.routes.carrier import Portfolio
from api.routes.carrier import portfolio as carrier_book
from api.routes.org_admin import TenantRollup
from api.routes.org_admin import rollup as org_tenants
from draxis.security.permissions import Permission
from panel import store
from panel.analyst import Target
from panel.orchestrator import Orchestrator, TurnEvent, TurnState
from panel.store import TurnRefused

P = Permission
# Turn events in the order a turn usually sends them: the progress they stand for.
_STEPS = {"turn.started": 1, "moderator.decided": 2, "specialist.answered": 3, "synthesis.done": 4}
_STEP_COUNT = 5.0


class SpecialistAnswer(BaseModel):
    persona: str | None
    content: str


class PanelAnswer(BaseModel):
    session_id: str
    turn: int
    synthesis: str
    rationale: str | None
    specialists: list[SpecialistAnswer]
    mode: str | None = Field(description="'llm', or 'offline' when no model is configured.")


class OrgRollup(BaseModel):
    tenants: list[TenantRollup]


def _answer(session_id: str, number: int, messages: list[store.PanelMessageOut]) -> PanelAnswer:
    synthesis = next((m for m in reversed(messages) if m.kind == "synthesis"), None)
    if synthesis is None:
        raise ToolError("The panel finished without a synthesis.")
    return PanelAnswer(
        session_id=session_id,
        turn=number,
        synthesis=synthesis.content,
        rationale=synthesis.rationale,
        specialists=[
            SpecialistAnswer(persona=m.persona, content=m.content)
            for m in messages
            if m.kind == "specialist"
        ],
        mode=synthesis.mode,
    )


def register(server: MCPServer, runtime: ToolRuntime, orchestrator: Orchestrator) -> None:
    """Add the panel and portfolio tools to `server`."""

    @server.tool()
    async def ask_expert_panel(
        question: Annotated[str, Field(min_length=1, max_length=8000)],
        ctx: Context,
        target: Target = "panel",
    ) -> PanelAnswer:
        """Ask Draxis's expert panel (an AI vCISO moderating Privacy, third-party-risk and
        cyber-insurance specialists) a question about this tenant. They answer from the tenant's
        own KRIs, risks, outcomes, vendors, facts and policies; returns the vCISO's synthesis,
        its rationale and each specialist's answer. Takes seconds to a minute: progress is
        reported as it goes. The session and its trail are kept in Draxis."""
        if "\x00" in question:
            raise ToolError("The question contains a NUL character.")
        work = await runtime.tenant_work("ask_expert_panel", P.PANEL_USE)

        def open_session() -> store.PanelSessionOut:
            with work.transaction() as conn:
                opened = store.create_session(conn, store.DEFAULT_TITLE, work.user_id)
                work.audit(conn, "panel.session.open", opened.id, channel="mcp")
                return opened

        session = await anyio.to_thread.run_sync(open_session)
        try:
            turn = await orchestrator.begin(work, session.id, question, target)
        except TurnRefused as exc:
            raise ToolError(str(exc)) from None
        seen = 0.0

        async def progress(event: TurnEvent) -> None:
            nonlocal seen
            seen = max(seen, float(_STEPS.get(event.name, seen)))
            detail: dict[str, Any] = event.data
            persona = detail.get("persona") or detail.get("message", {}).get("persona")
            label = event.name if not persona else f"{event.name}: {persona}"
            await ctx.report_progress(seen, _STEP_COUNT, label)

        outcome = await orchestrator.run(work, turn, progress)
        await ctx.report_progress(_STEP_COUNT, _STEP_COUNT, "done")
        if outcome.state != TurnState.COMPLETED:
            raise ToolError(outcome.error or "The panel could not answer.")
        return _answer(str(session.id), outcome.number, list(outcome.messages))

    @server.tool()
    async def org_rollup() -> OrgRollup:
        """For master admins (MSPs): every tenant of your organization with its posture score,
        KRI colours, stale share and critical/high risks, worst first. Reading across tenants
        is audited."""
        return await runtime.run(
            "org_rollup",
            P.ORG_READ,
            lambda tx: OrgRollup(tenants=org_tenants(tx.scope.org_id, tx)),  # type: ignore[arg-type]
            family="org",
        )

    @server.tool()
    async def carrier_portfolio() -> Portfolio:
        """For insurance carrier users: the book of insured tenants that consented to share
        their posture, with each one's score, 30-day trend and band, the distribution by band
        and the worst movers."""
        return await runtime.run(
            "carrier_portfolio", P.CARRIER_READ, carrier_book, family="carrier"
        )
