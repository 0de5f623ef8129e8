"""`GET /api/exports/<table>.csv`: each of the tenant's lists as a CSV a spreadsheet opens safely.

One mechanism for every table: a fixed query per table name (never built from the request),
the permission that reading that list needs, and one writer that escapes every text cell
against formula injection (`draxis.csv_safety`) while leaving numbers numeric. Ids are
replaced by names where the list shows names (a KRI's source, the audit log's actor).
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Response

from api.access import Tx, tenant_scope
from api.problems import problem_responses
from draxis.csv_safety import csv_cell
from draxis.risk_acceptance import accepted_until_sql
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["exports"], responses=problem_responses(404))
P = Permission
MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class Export:
    permission: Permission
    query: str


EXPORTS: dict[str, Export] = {
    "risks": Export(
        P.RISK_MODEL_READ,
        "select r.slug, r.title, r.status, r.category, r.owner, p.score, p.severity,"
        f" {accepted_until_sql('r')} as accepted_until,"
        " p.red_kris, p.amber_kris, p.stale_kris, r.description, r.updated_at"
        " from tenant.risk r left join tenant.risk_posture p on p.risk_id = r.id"
        " order by p.score desc nulls last, r.title",
    ),
    "kris": Export(
        P.RISK_MODEL_READ,
        "select k.slug, k.name, k.category, k.unit, k.direction, k.warn, k.critical,"
        " coalesce(s.status, 'no_data') as status, s.value, s.observed_at,"
        " src.name as source, k.owner from tenant.kri k"
        " left join tenant.kri_status s on s.kri_id = k.id"
        " left join tenant.kri_source src on src.id = k.source_id order by k.name",
    ),
    "controls": Export(
        P.RISK_MODEL_READ,
        "select slug, name, effectiveness, framework, framework_ref,"
        " array_to_string(attack_techniques, ';') as attack_techniques, owner, description"
        " from tenant.control order by name",
    ),
    "outcomes": Export(
        P.RISK_MODEL_READ,
        "select o.slug, o.name, p.score, p.severity, o.owner, o.description"
        " from tenant.outcome o left join tenant.outcome_posture p on p.outcome_id = o.id"
        " order by o.name",
    ),
    "vendors": Export(
        P.RISK_MODEL_READ,
        "select slug, name, tier, category, criticality, data_access,"
        " array_to_string(data_elements, ';') as data_elements,"
        " array_to_string(services, ';') as services, contract_start, contract_end, website,"
        " owner from tenant.vendor order by name",
    ),
    "sources": Export(
        P.INTEGRATIONS_READ,
        "select name, vendor_id, schedule, enabled, last_run_at, last_run_status, next_run_at"
        " from tenant.kri_source order by name",
    ),
    "runs": Export(
        P.INTEGRATIONS_READ,
        "select src.name as source, r.status, r.started_at, r.finished_at, r.rows_written,"
        " r.rows_skipped, r.items_fetched, r.error from tenant.source_run r"
        " join tenant.kri_source src on src.id = r.source_id order by r.started_at desc",
    ),
    "audit-log": Export(
        P.TENANT_AUDIT_READ,
        "select a.at, coalesce(u.display_name, u.email, a.actor_user_id::text) as actor,"
        " a.action, a.target_type, coalesce(k.name, r.title, c.name, a.target_id) as target,"
        " a.ip, a.detail::text as detail from tenant.audit_log a"
        " left join platform.users u on u.id = a.actor_user_id"
        " left join tenant.kri k on a.target_type = 'kri' and k.id::text = a.target_id"
        " left join tenant.risk r on a.target_type = 'risk' and r.id::text = a.target_id"
        " left join tenant.control c on a.target_type = 'control' and c.id::text = a.target_id"
        " order by a.at desc",
    ),
    "tasks": Export(
        P.TASKS_READ,
        "select t.title, t.status, t.subject_kind,"
        " coalesce(k.name, r.title, c.name, o.name, v.name) as subject,"
        " coalesce(nullif(u.display_name, ''), u.email, t.owner_role) as owner, t.due_date,"
        " (t.due_date < current_date and t.status not in ('done', 'cancelled')) is true"
        " as overdue, t.created_at, t.updated_at, t.closed_at, t.description from tenant.task t"
        " left join platform.users u on u.id = t.owner_user_id"
        " left join tenant.kri k on t.subject_kind = 'kri' and k.id = t.subject_id"
        " left join tenant.risk r on t.subject_kind = 'risk' and r.id = t.subject_id"
        " left join tenant.control c on t.subject_kind = 'control' and c.id = t.subject_id"
        " left join tenant.outcome o on t.subject_kind = 'outcome' and o.id = t.subject_id"
        " left join tenant.vendor v on t.subject_kind = 'vendor' and v.id = t.subject_id"
        " order by t.due_date nulls last, t.title",
    ),
    "users": Export(
        P.TENANT_USERS_READ,
        "select display_name, email, role, created_at from platform.users"
        " where tenant_id = platform.current_tenant_id() order by display_name",
    ),
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_csv(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """RFC 4180 CSV with a header row; numbers stay numbers, text is formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            csv_cell(_text(v), numeric=isinstance(v, int | float) and not isinstance(v, bool))
            for v in row
        )
    return out.getvalue()


def _route(name: str, export: Export) -> Any:
    def export_csv(tx: Annotated[Tx, tenant_scope(export.permission)]) -> Response:
        cursor = tx.conn.execute(export.query + f" limit {MAX_ROWS}")
        columns = [d.name for d in cursor.description or []]
        return Response(
            write_csv(columns, cursor.fetchall()).encode("utf-8"),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="draxis-{name}.csv"'},
        )

    export_csv.__name__ = f"export_{name.replace('-', '_')}_csv"
    return export_csv


for _name, _export in EXPORTS.items():
    router.add_api_route(
        f"/exports/{_name}.csv",
        _route(_name, _export),
        methods=["GET"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}}},
        summary=f"The tenant's {_name.replace('-', ' ')} as CSV",
    )
