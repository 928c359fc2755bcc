"""Reading CSV files: what Excel writes (encodings, separators, quotes) and what cannot be read."""

import unicodedata

import pytest

from app.imports.reading import ImportFileError, read_table
from tests.imports.conftest import VILLAGE_HEADER, cp1258, csv_text


@pytest.mark.parametrize("encode", [
    pytest.param(lambda t: t.encode("utf-8"), id="utf-8"),
    pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf-8-bom"),
    pytest.param(cp1258, id="windows-1258"),
    pytest.param(lambda t: t.encode("utf-16"), id="utf-16"),
])
@pytest.mark.parametrize("separator", [",", ";"])
def test_reads_the_encodings_and_separators_excel_writes(app, encode, separator):
    text = csv_text(VILLAGE_HEADER, "18562,Thôn Đồng Khánh,Xã Thạch Sơn,240", "18562,Xóm Hưng Lợi,,")
    raw = encode(text.replace(",", separator))
    table = read_table(raw, ("commune_code", "village_name"))
    assert [values["village_name"] for _, values in table.rows] == ["Thôn Đồng Khánh", "Xóm Hưng Lợi"]
    name = table.rows[0][1]["village_name"]
    assert unicodedata.is_normalized("NFC", name)  # cp1258's combining tones are joined
    assert table.rows[0][1]["former_commune"] == "Xã Thạch Sơn"


def test_quoted_cells_headers_in_any_case_and_blank_rows(app):
    text = ('Commune_Code;"Village Name";Declared_Households\r\n'
            '18562;"Thôn 1; khu A";"1.234"\r\n;;\r\n\r\n18562;Thôn 2;\r\n')
    table = read_table(text.encode(), ("commune_code", "village_name"))
    assert [(n, v["village_name"]) for n, v in table.rows] == [(2, "Thôn 1; khu A"), (5, "Thôn 2")]


@pytest.mark.parametrize("raw,status,message", [
    (b"", 400, "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, 415, "not a CSV"),
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, 415, "Excel workbook"),
    (b"%PDF-1.7\n...", 415, "PDF"),
    ("Tên thôn, số hộ\nThôn 1, 200\n".encode(), 400, "Missing: commune_code, village_name"),
    (f"{VILLAGE_HEADER}\n".encode(), 400, "no rows"),
    (f"{VILLAGE_HEADER}\n18562,\"Thôn 1\n".encode() + b"x" * 140_000, 400, "Row 2 has a cell longer than"),
    (f"{VILLAGE_HEADER}\n18562,Thôn 1\n".encode() + b"x" * 140_000, 400, "Row 3 has a cell longer than"),
    (b"x" * 140_000 + f"\n{VILLAGE_HEADER}\n".encode(), 400, "Row 1 has a cell longer than"),
    (f"{VILLAGE_HEADER}\n".encode() + b"18562,Thon 1\n" * 6000 + b"18562,Th\x00n 2\n", 415, "not a CSV"),
])
def test_files_that_cannot_be_imported(app, raw, status, message):
    with pytest.raises(ImportFileError) as raised:
        read_table(raw, ("commune_code", "village_name"))
    assert raised.value.status == status
    assert message in str(raised.value.message)


def test_too_many_rows_and_too_large(app):
    many = csv_text(VILLAGE_HEADER, *[f"18562,Thôn {n},," for n in range(50_000)]).encode()
    with pytest.raises(ImportFileError, match="too many rows") as raised:
        read_table(many, ("commune_code", "village_name"))
    assert raised.value.status == 413 and "50,000" in str(raised.value.message)
    with pytest.raises(ImportFileError, match="larger than 5 MB") as raised:
        read_table(b"a" * (5 * 1024 * 1024 + 1), ("commune_code",))
    assert raised.value.status == 413
