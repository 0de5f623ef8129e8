"""Bulk export and import of the risk model (XLSX, or a ZIP of CSVs); the rules live in
`draxis.model_transfer`. This module reads the tenant's rows, writes the computed plan in the
request's one transaction, and audits it. An invalid file answers 422 and writes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import Response
from psycopg import errors, sql
from psycopg.rows import dict_row
from pydantic import BaseModel

from api.access import Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.risk_model import ControlIn, KriIn, OutcomeIn, RiskIn, VendorIn
from draxis import model_transfer as mt
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api/model", tags=["model"], responses=problem_responses(409, 413))
Reader = Annotated[Tx, tenant_scope(Permission.RISK_MODEL_READ)]
Writer = Annotated[Tx, tenant_scope(Permission.RISK_MODEL_WRITE)]

MODELS: dict[str, type[BaseModel]] = {
    "kris": KriIn,
    "controls": ControlIn,
    "risks": RiskIn,
    "outcomes": OutcomeIn,
    "vendors": VendorIn,
}
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "application/zip",
}
_FILE = {"type": "string", "format": "binary"}


class ImportResult(BaseModel):
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    deleted: dict[str, int]
    links: int


def _ident(name: str) -> sql.Composed:
    return sql.SQL("tenant.{}").format(sql.Identifier(name))


# The file's `owner_email` is the owner's e-mail; the table holds the member's id.
_OWNER_EMAIL = sql.SQL(
    "(select lower(u.email) from platform.users u where u.id = owner_user_id) as owner_email"
)


def _read_column(name: str) -> sql.Composable:
    return _OWNER_EMAIL if name == mt.OWNER_EMAIL else sql.Identifier(name)


def _members(tx: Tx) -> dict[str, Any]:
    """The tenant's active users by lower-cased e-mail: who an `owner_email` may name."""
    rows = tx.conn.execute(
        "select lower(email), id from platform.users where tenant_id = %s and is_active",
        (tx.principal.tenant_id,),
    ).fetchall()
    return dict(rows)


def _table_row(row: Mapping[str, Any], members: Mapping[str, Any]) -> dict[str, Any]:
    """A file row in the table's columns: the owner's e-mail becomes the member's id."""
    out = {k: v for k, v in row.items() if k != mt.OWNER_EMAIL}
    if mt.OWNER_EMAIL in row:
        email = row[mt.OWNER_EMAIL]
        out["owner_user_id"] = members[email] if email is not None else None
    return out


def _stored(tx: Tx) -> dict[str, dict[str, dict[str, Any]]]:
    stored: dict[str, dict[str, dict[str, Any]]] = {}
    cursor = tx.conn.cursor(row_factory=dict_row)
    for sheet in mt.ENTITY_SHEETS:
        rows = cursor.execute(
            sql.SQL("select {} from {}").format(
                sql.SQL(", ").join(map(_read_column, mt.COLUMNS[sheet])),
                _ident(mt.TABLES[sheet]),
            )
        ).fetchall()
        stored[sheet] = {str(r["slug"]): r for r in rows}
    return stored


def _link_columns(kind: str) -> tuple[str, str, str, str]:
    """(from table, to table, from column, to column) of a link kind."""
    source, target = (mt.TABLES[s] for s in mt.LINK_KINDS[kind])
    return source, target, f"{source}_id", f"{target}_id"


def _stored_links(tx: Tx) -> list[mt.Link]:
    links: list[mt.Link] = []
    for kind in mt.LINK_KINDS:
        source, target, from_col, to_col = _link_columns(kind)
        rows = tx.conn.execute(
            sql.SQL(
                "select f.slug, t.slug from {l} x join {f} f on f.id = x.{fc}"
                " join {t} t on t.id = x.{tc}"
            ).format(
                l=_ident(kind),
                f=_ident(source),
                t=_ident(target),
                fc=sql.Identifier(from_col),
                tc=sql.Identifier(to_col),
            )
        ).fetchall()
        links.extend((kind, str(a), str(b)) for a, b in rows)
    return links


@router.get(
    "/export",
    summary="Export the risk model (XLSX, or a ZIP of CSVs)",
    responses={200: {"content": {media: {"schema": _FILE} for media in MEDIA.values()}}},
)
def export_model(
    tx: Reader, format: Annotated[Literal["xlsx", "csv"], Query()] = "xlsx"
) -> Response:
    stored = _stored(tx)
    frames = mt.export_frames({s: rows.values() for s, rows in stored.items()}, _stored_links(tx))
    body = mt.write_xlsx(frames) if format == "xlsx" else mt.write_csv_zip(frames)
    found = tx.conn.execute(
        "select slug from platform.tenants where id = %s", (tx.principal.tenant_id,)
    ).fetchone()
    tenant = str(found[0]) if found else str(tx.principal.tenant_id)
    name = f"draxis-risk-model-{tenant}-{datetime.now(UTC).date().isoformat()}"
    name += ".xlsx" if format == "xlsx" else "-csv.zip"
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/import", response_model=ImportResult, summary="Import the risk model")
def import_model(request: Request, tx: Writer, file: Annotated[UploadFile, File()]) -> Any:
    """Upsert entities by slug and set links, all or nothing (the rule: `draxis.model_transfer`)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > mt.MAX_BYTES + 64 * 1024:
        raise Problem(413, f"The file is larger than {mt.MAX_BYTES // (1024 * 1024)} MB.")
    data = file.file.read(mt.MAX_BYTES + 1)
    try:
        frames = mt.read_upload(data)
        stored = _stored(tx)
        existing = {sheet: set(rows) for sheet, rows in stored.items()}
        members = _members(tx)
        valid = mt.validate(frames, MODELS, existing, members)
    except mt.TransferError as exc:
        raise Problem(exc.status, exc.message, errors=[e.as_dict() for e in exc.errors]) from None
    work = mt.plan(valid, stored, _stored_links(tx))
    try:
        _apply(tx, work, members)
    except (errors.UniqueViolation, errors.CheckViolation, errors.ForeignKeyViolation) as exc:
        raise Problem(
            409, f"The import conflicts with a concurrent change ({exc.sqlstate})."
        ) from None
    summary = work.summary()
    tx.audit("model.import", target_type="model", filename=file.filename or "", **summary)
    return summary


def _apply(tx: Tx, work: mt.Plan, members: Mapping[str, Any]) -> None:
    tenant_id = tx.principal.tenant_id
    with tx.conn.cursor() as cursor:
        for sheet, file_rows in work.inserts.items():
            if not file_rows:
                continue
            rows = [_table_row(r, members) for r in file_rows]
            names = list(rows[0])
            statement = sql.SQL("insert into {} (tenant_id, {}) values (%s, {})").format(
                _ident(mt.TABLES[sheet]),
                sql.SQL(", ").join(map(sql.Identifier, names)),
                sql.SQL(", ").join(sql.Placeholder() * len(names)),
            )
            cursor.executemany(statement, [(tenant_id, *(r[n] for n in names)) for r in rows])
        for sheet, updates in work.updates.items():
            for slug, file_changes in updates:
                changes = _table_row(file_changes, members)
                cursor.execute(
                    sql.SQL("update {} set {}, updated_at = now() where slug = %s").format(
                        _ident(mt.TABLES[sheet]),
                        sql.SQL(", ").join(
                            sql.SQL("{} = %s").format(sql.Identifier(c)) for c in changes
                        ),
                    ),
                    (*changes.values(), slug),
                )
    if work.link_inserts or work.link_deletes:
        ids = _ids(tx)
        with tx.conn.cursor() as cursor:
            for kind, source, target in work.link_deletes:
                f_table, t_table, f_col, t_col = _link_columns(kind)
                cursor.execute(
                    sql.SQL("delete from {} where {} = %s and {} = %s").format(
                        _ident(kind), sql.Identifier(f_col), sql.Identifier(t_col)
                    ),
                    (ids[f_table][source], ids[t_table][target]),
                )
            for kind, source, target in work.link_inserts:
                f_table, t_table, f_col, t_col = _link_columns(kind)
                cursor.execute(
                    sql.SQL("insert into {} (tenant_id, {}, {}) values (%s, %s, %s)").format(
                        _ident(kind), sql.Identifier(f_col), sql.Identifier(t_col)
                    ),
                    (tenant_id, ids[f_table][source], ids[t_table][target]),
                )


def _ids(tx: Tx) -> Mapping[str, Mapping[str, Any]]:
    return {
        table: dict(
            tx.conn.execute(sql.SQL("select slug, id from {}").format(_ident(table))).fetchall()
        )
        for table in mt.TABLES.values()
    }
