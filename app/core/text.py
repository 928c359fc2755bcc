"""Text helpers for Vietnamese: accent-insensitive search keys and phone numbers."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def search_key(text: str | None) -> str:
    """'Nguyễn Văn Đức' -> 'nguyen van duc': NFC, đ as d, tones and marks stripped, lower case."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


def name_sort_key(full_name: str | None) -> tuple[str, str]:
    """Vietnamese lists sort people by given name (the last word), then the whole name."""
    key = search_key(full_name)
    return (key.rsplit(" ", 1)[-1], key)


def _invisible(ch: str) -> bool:
    """Control characters (other than white space) and format characters: a right-to-left
    override or a zero-width space makes a name read or sort as something it is not."""
    return unicodedata.category(ch) in ("Cc", "Cf") and not ch.isspace()


def clean_text(text: str | None) -> str:
    """NFC, no invisible characters, single spaces: what is stored for names and notes typed
    on different keyboards."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():
        text = "".join(ch for ch in text if not _invisible(ch))
    return _SPACES.sub(" ", text).strip()


_MOBILE = re.compile(r"^(?:\+?84|0)?(3|5|7|8|9)(\d{8})$")


def normalize_phone(raw: str | None) -> str | None:
    """A Vietnamese mobile number as +84xxxxxxxxx, or None when it is not one."""
    if not raw:
        return None
    digits = re.sub(r"[\s.\-()]", "", raw)
    match = _MOBILE.match(digits)
    if not match:
        return None
    return "+84" + match.group(1) + match.group(2)


def mask_phone(phone: str | None) -> str:
    """+84912345678 -> 091•••••78, for people outside the household's teams."""
    if not phone:
        return ""
    local = "0" + phone[3:] if phone.startswith("+84") else phone
    return local[:3] + "•" * (len(local) - 5) + local[-2:]
