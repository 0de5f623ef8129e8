"""Field types and shapes every part of the API shares: one definition, one OpenAPI rendering.

Request bodies derive from `Strict`; lists answer a `Page`. Text people type is `PlainText`
(PostgreSQL text cannot hold NUL, and no name needs a control character). The two slugs differ on
purpose: a risk-model slug is snake_case and unique per tenant; an organization's or tenant's slug
is kebab-case and global (it names Dagster partitions and export files).
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Item = TypeVar("Item", bound=BaseModel)


class Strict(BaseModel):
    """Request bodies refuse unknown fields: no mass-assignment of `role` or `tenant_id`."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[Item]):
    """One page of a list: `limit` items from `offset`, of `total`."""

    items: list[Item]
    total: int
    limit: int
    offset: int


# Names people type: no control characters (PostgreSQL text cannot even hold NUL).
PlainText = r"^[^\x00-\x1f\x7f]*$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PlainText)
]
# A person's name as shown in the app: the same rule as any other name.
DisplayName = Name

_LOCAL = r"[^@\s\x00-\x1f\x7f]+"
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=3,
        max_length=254,
        pattern=rf"^{_LOCAL}@{_LOCAL}\.{_LOCAL}$",
    ),
]
NewPassword = Annotated[str, Field(min_length=1, max_length=1024, pattern=r"^[^\x00]*$")]

# A KRI's, control's, risk's, outcome's or vendor's slug: snake_case, unique per tenant.
ModelSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]{1,79}$")]
# An organization's or tenant's slug: kebab-case, unique across the platform.
OrgSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
