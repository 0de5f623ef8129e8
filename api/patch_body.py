"""The base of every PATCH body: a field left out keeps its value, `null` empties it.

Only a column that may be empty takes `null` (`nullable` names them); for any other field `null`
is refused with a 422 naming the field, before the database would refuse it (a 500). The OpenAPI
document says the same: a field outside `nullable` does not list `null` among its types.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler, ValidationInfo, field_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

_NULL = {"type": "null"}


class PatchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _null_only_where_nullable(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError(
                "not_nullable",
                "{field} cannot be null: leave it out to keep its value",
                {"field": info.field_name},
            )
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for name, spec in target.get("properties", {}).items():
            if name not in cls.nullable:
                _drop_null(spec)
        return schema


def _drop_null(spec: dict[str, Any]) -> None:
    """`anyOf: [X, null]` (and `default: null`) becomes X: the field takes no null."""
    if spec.get("default", ...) is None:
        del spec["default"]
    options = spec.get("anyOf")
    if not options or _NULL not in options:
        return
    rest = [o for o in options if o != _NULL]
    del spec["anyOf"]
    if len(rest) == 1:
        spec.update(rest[0])
    else:
        spec["anyOf"] = rest
