"""The rule every vendor connector follows when a run reads its KRIs in groups (one group per
endpoint, or per set of endpoints one permission covers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from connectors.base import RunResult
from connectors.errors import AuthFailed
from connectors.fields import Observation, observation_frame


class KriGroups:
    """A run's KRI groups, fetched one by one: a 403 on a group's endpoint leaves its KRIs out
    with a warning naming them (``"<vendor>: <slug>, <slug> not computed: <error>"``) — never a
    0; any other failure (a 401, a 5xx, a schema mismatch) fails the run; when every group
    attempted was refused, the first refusal fails it.

    Warnings keep their order: a group's own warnings (added while it fetches, via `warnings`
    or `warn`) and refusals appear as they happen."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.warnings: list[str] = []
        self.fetched = 0
        self._attempted = 0
        self._refused: list[AuthFailed] = []

    def attempt(self, slugs: Sequence[str], fetch: Callable[[], int]) -> bool:
        """Run `fetch` (which returns the number of items it fetched) for the KRIs `slugs`;
        False when the vendor refused it with a 403 (the KRIs are then left out)."""
        self._attempted += 1
        try:
            count = fetch()
        except AuthFailed as exc:
            if exc.status != 403:
                raise
            self._refused.append(exc)
            self.warn(f"{self.vendor}: {', '.join(slugs)} not computed: {exc}")
            return False
        self.fetched += count
        return True

    def attempt_rows(
        self,
        slugs: Sequence[str],
        fetch: Callable[[], tuple[list[Observation], int]],
        into: list[Observation],
    ) -> bool:
        """`attempt` for a `fetch` returning (its rows, items fetched): the rows go `into` the
        run's rows only when the group succeeded."""

        def fetch_into() -> int:
            rows, count = fetch()
            into.extend(rows)
            return count

        return self.attempt(slugs, fetch_into)

    def warn(self, message: str) -> None:
        """Another warning for the run (a KRI with no population, ...)."""
        self.warnings.append(message)

    def result(self, rows: Iterable[Observation]) -> RunResult:
        """The run's result; raises the first refusal when every group attempted was refused."""
        if self._refused and len(self._refused) == self._attempted:
            raise self._refused[0]
        return RunResult(observation_frame(rows), self.fetched, tuple(self.warnings))
