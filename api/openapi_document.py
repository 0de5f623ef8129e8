"""The API's OpenAPI document as JSON, built from the app without a server or a database.

`python -m api.openapi_document > web/openapi.json` feeds `openapi-typescript`, which generates the
web client's types (`web/src/api/schema.d.ts`); a test regenerates both and diffs them.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from api.main import create_app
from draxis.settings import Settings


def openapi_document() -> dict[str, Any]:
    """The document the running API serves at /openapi.json (the lifespan never starts here)."""
    return create_app(Settings()).openapi()


def openapi_json() -> str:
    """Stable text: sorted keys, two-space indent, one trailing newline."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(openapi_json())
