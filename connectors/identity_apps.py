"""The application inventory identity connectors (Okta, Entra ID, Google Workspace) report next
to their KRIs, for integration drift: what a vendor attested against the apps the tenant's
identity provider knows.

The inventory is read after the KRI groups, with the same client, and is never a KRI group
itself: an inventory that cannot be read (the customer did not grant the permission, the
endpoint failed) leaves every KRI as it was, keeps the source's previous app rows (the result's
`applications` is None) and adds one warning naming the permission the listing needs. Only what
fails the whole run anyway (refused credentials, a refused destination) propagates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable

from connectors.base import Application, RunResult
from connectors.errors import AuthFailed, ConnectorError
from connectors.kri_groups import KriGroups, fails_the_run


def read_applications(
    groups: KriGroups, permission: str, fetch: Callable[[], Iterable[Application]]
) -> tuple[Application, ...] | None:
    """The apps `fetch` lists, or None (with a warning on `groups`) when it could not."""
    try:
        return tuple(fetch())
    except ConnectorError as exc:
        if fails_the_run(exc):
            raise
        if isinstance(exc, AuthFailed):
            groups.warn(
                f"{groups.vendor}: application inventory not read: the credentials lack "
                f"{permission}; the previous list is kept ({exc})"
            )
        else:
            groups.warn(
                f"{groups.vendor}: application inventory not read (it needs {permission}); "
                f"the previous list is kept ({exc})"
            )
        return None


def with_applications(result: RunResult, applications: tuple[Application, ...] | None) -> RunResult:
    """`result` carrying the run's application inventory."""
    return dataclasses.replace(result, applications=applications)
