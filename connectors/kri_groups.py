"""The rule every vendor connector follows when a run reads its KRIs in groups (one group per
endpoint, or per set of endpoints one permission covers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from connectors.base import RunResult
from connectors.errors import AuthFailed, ConnectorError, DestinationRefused
from connectors.fields import Observation, observation_frame


def fails_the_run(exc: ConnectorError) -> bool:
    """Whether a group's failure is the whole run's: the credentials were refused (401), or the
    destination itself (the SSRF guard), since every other group would meet the same. A 403 (a
    missing scope), another 4xx (an endpoint the tenant's licence or region lacks, a parameter
    the vendor stopped taking), a changed response shape, a 5xx or a rate limit that outlasted
    the retries is the group's alone."""
    if isinstance(exc, AuthFailed):
        return exc.status != 403
    return isinstance(exc, DestinationRefused)


class KriGroups:
    """A run's KRI groups, fetched one by one. A group that cannot be read is left out with a
    warning naming its KRIs and the vendor's reason (``"<vendor>: <slug>, <slug> not computed:
    <error>"``) — never a 0 — and the other groups are written. Only a failure of the whole run
    (`fails_the_run`: refused credentials, a refused destination) propagates at once; when every
    group attempted failed (a total outage), the first failure fails the run.

    Warnings keep their order: a group's own warnings (added while it fetches, via `warnings`
    or `warn`) and failures appear as they happen."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.warnings: list[str] = []
        self.fetched = 0
        self._attempted = 0
        self._failed: list[ConnectorError] = []

    def attempt(self, slugs: Sequence[str], fetch: Callable[[], int]) -> bool:
        """Run `fetch` (which returns the number of items it fetched) for the KRIs `slugs`;
        False when the group could not be read (its KRIs are then left out)."""
        self._attempted += 1
        try:
            count = fetch()
        except ConnectorError as exc:
            if fails_the_run(exc):
                raise
            self._failed.append(exc)
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
        """The run's result; raises the first failure when every group attempted failed."""
        if self._failed and len(self._failed) == self._attempted:
            raise self._failed[0]
        return RunResult(observation_frame(rows), self.fetched, tuple(self.warnings))
