"""Text helpers: search keys without accents, clean text, phone numbers normalised and masked."""

import unicodedata

import pytest

from app.core.text import clean_text, mask_phone, normalize_phone, search_key


@pytest.mark.parametrize("text,key", [
    ("Nguyễn Văn Đức", "nguyen van duc"),
    ("ĐẶNG THỊ HẰNG", "dang thi hang"),
    ("  Thôn   Trung  ", "thon trung"),
    (unicodedata.normalize("NFD", "Hồ Xuân Hương"), "ho xuan huong"),
    ("Tổ dân phố 5", "to dan pho 5"),
    ("", ""),
    (None, ""),
])
def test_search_key(text, key):
    assert search_key(text) == key


def test_clean_text_composes_and_collapses_spaces():
    assert clean_text(unicodedata.normalize("NFD", " Lê  Thị  Hoa ")) == "Lê Thị Hoa"


@pytest.mark.parametrize("raw,normalized", [
    ("0912345678", "+84912345678"),
    ("0912 345 678", "+84912345678"),
    ("+84 912-345-678", "+84912345678"),
    ("84912345678", "+84912345678"),
    ("0362.123.456", "+84362123456"),
    ("091234567", None),   # 9 digits
    ("0212345678", None),  # not a mobile prefix
    ("abc", None),
    ("", None),
])
def test_normalize_phone(raw, normalized):
    assert normalize_phone(raw) == normalized


def test_mask_phone_keeps_only_the_ends():
    assert mask_phone("+84912345678") == "091•••••78"
    assert mask_phone(None) == ""
