"""The web client's API types are generated from the API's OpenAPI document and kept current."""

from __future__ import annotations

import subprocess
from pathlib import Path

from api.openapi_document import openapi_json

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"
CHECKED_IN = WEB / "src" / "api" / "schema.d.ts"


def test_the_checked_in_web_api_types_match_the_openapi_document(tmp_path: Path) -> None:
    assert GENERATOR.is_file(), "web dependencies are missing: run `make web-deps` (make test does)"
    document = tmp_path / "openapi.json"
    document.write_text(openapi_json(), encoding="utf-8")
    generated = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(document), "-o", str(generated)],
        cwd=WEB,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert generated.read_text(encoding="utf-8") == CHECKED_IN.read_text(encoding="utf-8"), (
        "web/src/api/schema.d.ts is out of date with the API: run `make api-types` and commit it"
    )


def test_the_openapi_document_is_stable_text() -> None:
    assert openapi_json() == openapi_json()
    assert '"/api/dashboard"' in openapi_json()
