"""`dig`: reading a vendor's JSON so that an unexpected shape fails the run naming the field.

A vendor renaming or retyping a field must fail the run with a message that says where, instead
of a KeyError deep in a connector or, worse, a KRI silently computed from a default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connectors.errors import SchemaMismatch


def _type_names(expect: type | tuple[type, ...]) -> str:
    types = expect if isinstance(expect, tuple) else (expect,)
    names = {list: "a list", dict: "an object", str: "a string", bool: "a boolean"}
    names.update({int: "an integer", float: "a number", type(None): "null"})
    return " or ".join(names.get(t, t.__name__) for t in types)


def _type_ok(value: Any, expect: type | tuple[type, ...]) -> bool:
    """isinstance, but JSON-aware: a bool is not a number, and an integer is a fine float."""
    types = expect if isinstance(expect, tuple) else (expect,)
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def _json_type(value: Any) -> str:
    return _type_names(type(value))


def _lookup(obj: Any, parts: list[str]) -> tuple[bool, Any]:
    """Walk `parts` into `obj`; keys may themselves contain dots ("@odata.nextLink"), so at each
    level the longest run of parts naming an existing key wins. Returns (found, value)."""
    if not parts:
        return True, obj
    if isinstance(obj, Mapping):
        for end in range(len(parts), 0, -1):
            key = ".".join(parts[:end])
            if key in obj:
                return _lookup(obj[key], parts[end:])
        return False, None
    if isinstance(obj, list) and parts[0].lstrip("-").isdigit():
        index = int(parts[0])
        if -len(obj) <= index < len(obj):
            return _lookup(obj[index], parts[1:])
    return False, None


def dig(obj: Any, path: str, *, vendor: str, expect: type | tuple[type, ...] | None = None) -> Any:
    """The value at dotted `path` in a vendor's JSON (list indexes as numbers: ``errors.0.code``;
    ``""`` is `obj` itself), checked against `expect`.

    A missing field or one of another type raises `SchemaMismatch` naming the field, so a
    vendor changing its API fails the run with a message that says where, instead of a
    KeyError deep in a connector or, worse, a KRI silently computed from a default.
    """
    found, value = _lookup(obj, path.split(".") if path else [])
    if not found:
        raise SchemaMismatch(
            f"{vendor}: expected field {path!r} in the response, missing", field=path
        )
    if expect is not None and not _type_ok(value, expect):
        raise SchemaMismatch(
            f"{vendor}: expected field {path!r} to be {_type_names(expect)}, "
            f"got {_json_type(value)}",
            field=path,
        )
    return value


def dig_optional(
    obj: Any, path: str, *, vendor: str, expect: type | tuple[type, ...] | None = None
) -> Any:
    """Like `dig`, but None when the field is absent or null; a present value of the wrong type
    still raises `SchemaMismatch`."""
    found, value = _lookup(obj, path.split(".") if path else [])
    if not found or value is None:
        return None
    return dig(obj, path, vendor=vendor, expect=expect)


__all__ = ["dig", "dig_optional"]
