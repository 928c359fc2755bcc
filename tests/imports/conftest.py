"""The imports' fixtures and helpers: CSV text as Excel writes it, the files the tests upload,
and the villages the database holds."""

import io
import re
import unicodedata

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from app.areas.models import Area, AreaKind

VILLAGE_HEADER = "commune_code,village_name,former_commune,declared_households"
HOUSEHOLD_HEADER = ("commune_code,village_name,former_commune,display_name,phone,member_count,is_farm,"
                    "is_business,consent_method,consent_date,consent_collected_by,consent_witness")
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@pytest.fixture(autouse=True)
def messages_in_english(db):
    """Messages made outside a request read in English here (requests choose with ?lang)."""
    with force_locale("en"):
        yield


def cp1258(text: str) -> bytes:
    """Text as Excel writes it in Windows-1258: base letters precomposed, tones combining."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
        out.append(base + "".join(c for c in parts if c in TONES))
    return "".join(out).encode("cp1258")


def csv_text(header: str, *rows: str) -> str:
    return "\n".join([header, *rows]) + "\n"


def villages(db, commune=None) -> list[str]:
    stmt = select(Area.name).where(Area.kind == AreaKind.VILLAGE).order_by(Area.id)
    if commune is not None:
        stmt = stmt.where(Area.parent_id == commune.id)
    return list(db.session.scalars(stmt))


def upload(client, kind: str, content, filename: str = "file.csv"):
    raw = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(f"/imports/{kind}/upload", data={"file": (io.BytesIO(raw), filename)},
                       content_type="multipart/form-data")


def confirm(client, kind: str):
    page = client.get(f"/imports/{kind}/preview").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    return client.post(f"/imports/{kind}/confirm", data={"token": token})


BAD_VILLAGES = csv_text(
    VILLAGE_HEADER,
    "18562,Thôn Mới,Xã Thạch Sơn,230",        # 2 new
    "99999,Thôn Lạ,,",                       # 3 unknown commune code
    "18562,,,",                              # 4 empty name
    "18562," + "T" * 500 + ",,",             # 5 500-character name
    "18562,🏠🌾,,",                          # 6 emoji only
    "18562,thon 1,xa thach son,",            # 7 duplicate of a stored village (accents ignored)
    "18562,Thôn  Mới,xã thạch sơn,",         # 8 duplicate of row 2
    "18562,Thôn Cũ,,nhiều",                  # 9 not a number
    "18406,Thôn Hạ,,1.200",                  # 10 new, in commune B
)


def household_rows(**overrides):
    row = {"commune_code": "18562", "village_name": "Thôn 1", "former_commune": "Xã Thạch Sơn",
           "display_name": "Phạm Thị Mai", "phone": "0912 345 678", "member_count": "4", "is_farm": "1",
           "is_business": "0", "consent_method": "signed", "consent_date": "15/01/2026",
           "consent_collected_by": "volunteer", "consent_witness": ""}
    row.update(overrides)
    return ",".join(row[c] for c in HOUSEHOLD_HEADER.split(","))
