"""Table CRUD for the risk model's entities under the tenant scope: one tested path for all.

A `Resource` names the table, the columns a client may write, the columns it may sort and filter
by, and its Pydantic models. `crud_routes` adds list (filter, search, sort, paginate), get, create,
patch and delete routes for it, each declaring its permission and writing one audit row per change.
Column names only ever come from the `Resource`, never from the request; values are parameters.
Database refusals become problems: a taken slug 409, a violated check 422, nothing partial.
The small row helpers hand-written routers share (`fetch_one`, `like_pattern`, `tenant_of`) are
here too, so that no router imports another.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from psycopg import errors, sql
from psycopg.rows import class_row, dict_row
from pydantic import BaseModel, ConfigDict, Field

from api.access import Tx, tenant_scope
from api.owners import OWNER_NAME_SQL, require_member
from api.problems import Problem
from api.types import Page
from draxis.security.permissions import Permission

Out = TypeVar("Out", bound=BaseModel)


@dataclass(frozen=True)
class Resource(Generic[Out]):
    name: str  # singular, for messages and audit actions: "control"
    path: str  # "/controls"
    table: str  # "control" in schema tenant
    out: type[Out]
    create: type[BaseModel]
    patch: type[BaseModel]
    columns: tuple[str, ...]  # readable columns, in `out`'s order
    sortable: frozenset[str]
    filters: frozenset[str]  # equality filters taken from the query string
    search: tuple[str, ...]  # columns `q` matches (case-insensitive substring)
    default_sort: str = "name"
    # Cross-field rules a patch must still satisfy once merged with the stored row.
    check_merged: Callable[[Mapping[str, Any]], None] = field(default=lambda _: None)


def _table(resource: Resource[Any]) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier("tenant"), sql.Identifier(resource.table))


# Read-only columns that are not columns of the table: an expression named like the field.
DERIVED: dict[str, sql.Composable] = {"owner_name": sql.SQL(OWNER_NAME_SQL)}


def _column(name: str) -> sql.Composable:
    derived = DERIVED.get(name)
    if derived is None:
        return sql.Identifier(name)
    return sql.SQL("{} as {}").format(derived, sql.Identifier(name))


def _select(resource: Resource[Any]) -> sql.Composed:
    return sql.SQL("select {} from {}").format(
        sql.SQL(", ").join(map(_column, resource.columns)), _table(resource)
    )


def _check_owner(tx: Tx, values: Mapping[str, Any]) -> None:
    owner = values.get("owner_user_id")
    if owner is not None:
        require_member(tx, owner)


def tenant_of(tx: Tx) -> UUID:
    """The caller's tenant, for a route under `tenant_scope` (which guarantees there is one)."""
    tenant_id = tx.principal.tenant_id
    assert tenant_id is not None
    return tenant_id


def like_pattern(q: str) -> str:
    """`q` as an ILIKE pattern matching it anywhere, its own wildcards taken literally."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fetch_one(tx: Tx, out: type[Out], query: str, row_id: UUID, what: str) -> Out:
    """The row `query` (a select without a where clause) finds by id, or 404 naming `what`."""
    found = tx.conn.cursor(row_factory=class_row(out)).execute(query + " where id = %s", (row_id,))
    row = found.fetchone()
    if row is None:
        raise Problem(404, f"No such {what}.")
    return row


def fetch(tx: Tx, resource: Resource[Out], item_id: UUID) -> Out:
    row = (
        tx.conn.cursor(row_factory=dict_row)
        .execute(_select(resource) + sql.SQL(" where id = %s"), (item_id,))
        .fetchone()
    )
    if row is None:
        raise Problem(404, f"No such {resource.name}.")
    return resource.out.model_validate(row)


def _check(resource: Resource[Any], row: Mapping[str, Any]) -> None:
    try:
        resource.check_merged(row)
    except ValueError as exc:
        raise Problem(422, f"The {resource.name} is not valid: {exc}.") from None


def _refusal(resource: Resource[Any], exc: errors.Error) -> Problem:
    diag = exc.diag
    if isinstance(exc, errors.UniqueViolation):
        return Problem(409, f"Another {resource.name} already uses that slug.")
    if isinstance(exc, errors.ForeignKeyViolation):
        return Problem(404, f"A {resource.name} refers to something that does not exist.")
    return Problem(422, f"The {resource.name} is not valid ({diag.constraint_name or exc}).")


def _write(tx: Tx, resource: Resource[Any], statement: sql.Composed, params: Any) -> UUID:
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(statement, params).fetchone()
    except (errors.UniqueViolation, errors.CheckViolation, errors.ForeignKeyViolation) as exc:
        raise _refusal(resource, exc) from None
    if row is None:
        raise Problem(404, f"No such {resource.name}.")
    return UUID(str(row[0]))


def list_items(
    tx: Tx,
    resource: Resource[Out],
    query: Mapping[str, str],
    *,
    limit: int,
    offset: int,
    sort: str | None,
    q: str | None,
) -> Page[Out]:
    sort = sort or resource.default_sort
    column = sort.removeprefix("-")
    if column not in resource.sortable:
        allowed = ", ".join(sorted(resource.sortable))
        raise Problem(422, f"Cannot sort {resource.name}s by {column!r}; use one of: {allowed}.")
    where: list[sql.Composable] = [sql.SQL("true")]
    params: list[Any] = []
    for name in sorted(resource.filters & set(query)):
        where.append(sql.SQL("{}::text = %s").format(sql.Identifier(name)))
        params.append(query[name])
    if q:
        where.append(
            sql.SQL("({})").format(
                sql.SQL(" or ").join(
                    sql.SQL("{} ilike %s").format(sql.Identifier(c)) for c in resource.search
                )
            )
        )
        params.extend([like_pattern(q)] * len(resource.search))
    condition = sql.SQL(" and ").join(where)
    order = sql.SQL("{} {}, id").format(
        sql.Identifier(column), sql.SQL("desc" if sort.startswith("-") else "asc")
    )
    cursor = tx.conn.cursor(row_factory=dict_row)
    rows = cursor.execute(
        _select(resource)
        + sql.SQL(" where {} order by {} limit %s offset %s").format(condition, order),
        (*params, limit, offset),
    ).fetchall()
    total = tx.conn.execute(
        sql.SQL("select count(*) from {} where {}").format(_table(resource), condition), params
    ).fetchone()
    return Page[resource.out](  # type: ignore[name-defined]
        items=[resource.out.model_validate(r) for r in rows],
        total=int(total[0]) if total else 0,
        limit=limit,
        offset=offset,
    )


def create_item(tx: Tx, resource: Resource[Out], body: BaseModel) -> Out:
    values = body.model_dump()
    _check(resource, values)
    _check_owner(tx, values)
    names = list(values)
    statement = sql.SQL("insert into {} (tenant_id, {}) values (%s, {}) returning id").format(
        _table(resource),
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(", ").join(sql.Placeholder() * len(names)),
    )
    item_id = _write(tx, resource, statement, (tx.principal.tenant_id, *values.values()))
    tx.audit(f"{resource.name}.create", target_type=resource.name, target_id=item_id, record=values)
    return fetch(tx, resource, item_id)


def patch_item(tx: Tx, resource: Resource[Out], item_id: UUID, body: BaseModel) -> Out:
    changes = body.model_dump(exclude_unset=True)
    current = fetch(tx, resource, item_id)
    if not changes:
        return current
    _check(resource, {**current.model_dump(), **changes})
    _check_owner(tx, changes)
    statement = sql.SQL("update {} set {}, updated_at = now() where id = %s returning id").format(
        _table(resource),
        sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in changes),
    )
    _write(tx, resource, statement, (*changes.values(), item_id))
    before = current.model_dump(mode="json")
    tx.audit(
        f"{resource.name}.update",
        target_type=resource.name,
        target_id=item_id,
        changes={k: {"from": before.get(k), "to": v} for k, v in changes.items()},
    )
    return fetch(tx, resource, item_id)


def delete_item(
    tx: Tx, resource: Resource[Out], item_id: UUID, history: Mapping[str, Any] | None = None
) -> None:
    """Delete and audit with the full record (and `history`), so the trail can tell its story."""
    current = fetch(tx, resource, item_id)
    tx.conn.execute(sql.SQL("delete from {} where id = %s").format(_table(resource)), (item_id,))
    tx.audit(
        f"{resource.name}.delete",
        target_type=resource.name,
        target_id=item_id,
        record=current.model_dump(mode="json"),
        history=dict(history or {}),
    )


class BulkDelete(BaseModel):
    """Ids to delete together: all of them, or (on any unknown id) none."""

    model_config = ConfigDict(extra="forbid")
    ids: list[UUID] = Field(min_length=1, max_length=200)


class BulkDeleted(BaseModel):
    deleted: int


def bulk_delete(
    tx: Tx,
    resource: Resource[Out],
    ids: list[UUID],
    on_delete: Callable[[Tx, UUID], Mapping[str, Any]] | None = None,
) -> int:
    """Delete each of `ids` (duplicates once) in the request's one transaction, each audited as
    a single delete is; an unknown id raises its 404 and the transaction writes nothing."""
    unique = list(dict.fromkeys(ids))
    for item_id in unique:
        history = on_delete(tx, item_id) if on_delete else None
        delete_item(tx, resource, item_id, history)
    return len(unique)


def crud_routes(
    router: APIRouter,
    resource: Resource[Out],
    read: Permission,
    write: Permission,
    *,
    on_delete: Callable[[Tx, UUID], Mapping[str, Any]] | None = None,
    on_write: Callable[[Tx, UUID], None] | None = None,
) -> None:
    """Add list/get/create/patch/delete routes for `resource` to `router`. `on_write` runs after
    a create or patch, in the same transaction (e.g. a KRI's new colour)."""
    reader = Annotated[Tx, tenant_scope(read)]
    writer = Annotated[Tx, tenant_scope(write)]
    create_model, patch_model, out_model = resource.create, resource.patch, resource.out
    filters = ", ".join(sorted(resource.filters)) or "none"

    def list_route(
        request: Request,
        tx: reader,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
        sort: Annotated[str | None, Query(max_length=40)] = None,
        q: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Page[Any]:
        return list_items(
            tx, resource, request.query_params, limit=limit, offset=offset, sort=sort, q=q
        )

    def get_route(item_id: UUID, tx: reader) -> Any:
        return fetch(tx, resource, item_id)

    def create_route(body: create_model, tx: writer) -> Any:  # type: ignore[valid-type]
        created = create_item(tx, resource, body)
        if on_write:
            on_write(tx, created.id)  # type: ignore[attr-defined]
        return created

    def patch_route(item_id: UUID, body: patch_model, tx: writer) -> Any:  # type: ignore[valid-type]
        patched = patch_item(tx, resource, item_id, body)
        if on_write:
            on_write(tx, item_id)
        return patched

    def delete_route(item_id: UUID, tx: writer) -> Response:
        history = on_delete(tx, item_id) if on_delete else None
        delete_item(tx, resource, item_id, history)
        return Response(status_code=204)

    def bulk_delete_route(body: BulkDelete, tx: writer) -> BulkDeleted:
        return BulkDeleted(deleted=bulk_delete(tx, resource, body.ids, on_delete))

    tags: list[str | Enum] = [f"{resource.name}s"]
    path = resource.path
    router.add_api_route(
        path,
        list_route,
        methods=["GET"],
        response_model=Page[out_model],  # type: ignore[valid-type]
        tags=tags,
        summary=f"List {resource.name}s",
        description=f"Filter by exact value with query parameters ({filters}); `q` searches"
        f" {', '.join(resource.search)}; `sort` is a column, `-column` for descending.",
    )
    router.add_api_route(
        f"{path}/{{item_id}}", get_route, methods=["GET"], response_model=out_model, tags=tags
    )
    router.add_api_route(
        path, create_route, methods=["POST"], response_model=out_model, status_code=201, tags=tags
    )
    router.add_api_route(
        f"{path}/{{item_id}}", patch_route, methods=["PATCH"], response_model=out_model, tags=tags
    )
    router.add_api_route(
        f"{path}/{{item_id}}", delete_route, methods=["DELETE"], status_code=204, tags=tags
    )
    router.add_api_route(
        f"{path}/bulk-delete",
        bulk_delete_route,
        methods=["POST"],
        response_model=BulkDeleted,
        tags=tags,
        summary=f"Delete several {resource.name}s at once (all or none)",
    )
