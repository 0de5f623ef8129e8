"""An import whose ZIP cannot be read is a 422 that says so, never a 500, and writes nothing.

Each malformed archive is built here from a good one by editing its headers or its data: the
ZIP's own structure is intact (it opens), only reading a member fails, which is where zipfile and
zlib raise their own exceptions (BadZipFile, zlib.error, RuntimeError, NotImplementedError).
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable

import pytest
import xlsxwriter
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, login
from tests.security.helpers import assert_problem

CSV = b"slug,name,description,owner\n" + b"store_up,Keep the store up,,\n" * 40
LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"
# Field offsets in a local file header and in a central directory entry (APPNOTE 4.3.7, 4.3.12).
FLAGS, METHOD, CRC, FILE_SIZE = (6, 8), (8, 10), (14, 16), (22, 24)


def _good_zip(name: str = "outcomes.csv", body: bytes = CSV) -> bytearray:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, body)
    return bytearray(buffer.getvalue())


def _set(data: bytearray, field: tuple[int, int], fmt: str, value: int) -> bytes:
    """Write `value` into `field` of the (single) member's local header and central entry."""
    local, central = field
    struct.pack_into(fmt, data, data.index(LOCAL) + local, value)
    struct.pack_into(fmt, data, data.index(CENTRAL) + central, value)
    return bytes(data)


def bad_crc() -> bytes:
    data = _good_zip()
    stored = struct.unpack_from("<I", data, data.index(CENTRAL) + CRC[1])[0]
    return _set(data, CRC, "<I", stored ^ 0xFFFF)


def under_declared_size() -> bytes:
    return _set(_good_zip(), FILE_SIZE, "<I", 8)


def corrupt_deflate_stream() -> bytes:
    data = _good_zip()
    start = data.index(LOCAL) + 30 + struct.unpack_from("<H", data, data.index(LOCAL) + 26)[0]
    data[start : start + 4] = b"\xff\xff\xff\xff"  # BTYPE 11: a reserved (invalid) block type
    return bytes(data)


def encrypted_member() -> bytes:
    data = _good_zip()
    flags = struct.unpack_from("<H", data, data.index(LOCAL) + FLAGS[0])[0]
    return _set(data, FLAGS, "<H", flags | 0x1)


def unsupported_compression() -> bytes:
    return _set(_good_zip(), METHOD, "<H", 99)  # 99: WinZip AES, which zipfile cannot read


def truncated_archive() -> bytes:
    data = _good_zip()
    return bytes(data[: len(data) // 2])


def corrupt_xlsx_sheet() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    workbook.add_worksheet("outcomes").write_row(0, 0, ["slug", "name"])
    workbook.close()
    data = bytearray(buffer.getvalue())
    sheet = data.index(b"xl/worksheets/sheet1.xml", 0)
    start = sheet + len("xl/worksheets/sheet1.xml")  # local header name, then (no extra) data
    data[start : start + 4] = b"\xff\xff\xff\xff"
    return bytes(data)


MALFORMED: list[Callable[[], bytes]] = [
    bad_crc,
    under_declared_size,
    corrupt_deflate_stream,
    encrypted_member,
    unsupported_compression,
    truncated_archive,
    corrupt_xlsx_sheet,
]


@pytest.mark.parametrize("make", MALFORMED, ids=[m.__name__ for m in MALFORMED])
def test_an_unreadable_zip_is_a_422_that_says_so_and_writes_nothing(
    lenient: TestClient, tenant_a: TenantFixture, observer_conn: Conn, make: Callable[[], bytes]
) -> None:
    headers = bearer(login(lenient, tenant_a.user_email)["access_token"])
    before = observer_conn.execute("select count(*) from tenant.outcome").fetchone()
    response = lenient.post(
        "/api/model/import",
        headers=headers,
        files={"file": ("model.zip", make(), "application/zip")},
    )
    body = assert_problem(response, 422)
    assert "read" in body["detail"], body["detail"]
    assert observer_conn.execute("select count(*) from tenant.outcome").fetchone() == before


def test_the_good_archive_the_malformed_ones_start_from_imports(
    lenient: TestClient, tenant_a: TenantFixture
) -> None:
    headers = bearer(login(lenient, tenant_a.user_email)["access_token"])
    data = bytes(_good_zip(body=b"slug,name,description,owner\nstore_up,Keep the store up,,\n"))
    response = lenient.post(
        "/api/model/import", headers=headers, files={"file": ("model.zip", data, "application/zip")}
    )
    assert response.status_code == 200, response.text
