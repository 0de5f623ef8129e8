"""Count the statements a pipeline run sends to Postgres, at the driver.

`CountingDatabase` is the pipeline's own `DraxisDatabase` (same role, same RLS) whose connections
use a cursor that records every statement before psycopg sends it: each `execute`, each
parameter set of an `executemany`, each `COPY`. Dagster's `execute_in_process` runs the assets
in this process, so a test (or a benchmark) reads what a run issued from `STATEMENTS`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from assets.database import DraxisDatabase

STATEMENTS: list[str] = []


def _text(query: Any) -> str:
    return query.as_string(None) if isinstance(query, sql.Composable) else str(query)


class CountingCursor(psycopg.Cursor[TupleRow]):
    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> CountingCursor:
        STATEMENTS.append(_text(query))
        super().execute(query, params, **kwargs)
        return self

    def executemany(self, query: Any, params_seq: Iterable[Any], **kwargs: Any) -> None:
        params = list(params_seq)
        STATEMENTS.extend(_text(query) for _ in params)
        super().executemany(query, params, **kwargs)

    @contextmanager
    def copy(self, statement: Any, params: Any = None, **kwargs: Any) -> Iterator[Any]:
        STATEMENTS.append(_text(statement))
        with super().copy(statement, params, **kwargs) as copy:
            yield copy


class CountingDatabase(DraxisDatabase):
    """`DraxisDatabase`, with every statement of its connections recorded in `STATEMENTS`."""

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        with super().connection() as conn:
            conn.cursor_factory = CountingCursor
            yield conn
