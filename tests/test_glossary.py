"""The glossary kept (GLOSSARY.md): a short English word that means two things is never used
without a context, and the Vietnamese catalogue holds none of the variants the glossary forbids."""

import re

import pytest

from tests.conftest import sign_in
from tests.test_i18n import extract_messages, read_catalogue

# Words that carry two meanings in this app: each use says which one (pgettext).
TWO_MEANINGS = {"Who", "Members", "Open", "Active", "Done", "Review"}

# Vietnamese the glossary rules out, with the word to use instead.
FORBIDDEN = {
    r"khu vực": "địa bàn (area)",
    r"[Đđ]ã đến\b": "đã được hỗ trợ (reached)",
    r"[Cc]òn phải đến": "chưa được hỗ trợ (not yet reached)",
    r"đã (được )?đăng ký": "đã có trong danh sách (in the app's list)",
    r"[Ll]oại hỗ trợ": "nội dung hỗ trợ (kind of help)",
    r"[Đđ]ã đóng|[Đđ]óng nhiệm vụ|^Đóng": "hoàn thành / kết thúc (a task)",
    r"[Nn]gừng hoạt động (tài khoản|thôn)|tài khoản (này )?đã ngừng hoạt động":
        "vô hiệu hóa tài khoản, ngừng sử dụng thôn",
    r"^Ghi hộ ": "Ghi cho hộ … (not 'write on someone's behalf')",
    r"[Ss]inh hoạt nhóm": "buổi hướng dẫn tập trung / Hướng dẫn nhóm",
    r"ở tương lai|trong tương lai|ở quá khứ": "không được sau / trước hôm nay",
}


def test_a_word_with_two_meanings_always_says_which(tmp_path):
    bare = sorted({f"{m.id} ({', '.join(f'{path}:{line}' for path, line in m.locations)})"
                   for m in extract_messages(tmp_path) if m.id in TWO_MEANINGS and not m.context})
    assert bare == [], "use pgettext(context, …) for these words"


def test_the_catalogue_holds_no_forbidden_variant():
    found = [f"{m.id!r} → {m.string!r}: use {instead}" for m in read_catalogue() if m.id
             for pattern, instead in FORBIDDEN.items()
             for text in ([m.string] if isinstance(m.string, str) else m.string) if re.search(pattern, text)]
    assert found == []


@pytest.mark.parametrize("pattern", list(FORBIDDEN))
def test_each_forbidden_pattern_catches_the_variant_it_names(pattern):
    samples = {r"khu vực": "Chọn khu vực", r"[Đđ]ã đến\b": "Đã đến 3 hộ", r"[Cc]òn phải đến": "Còn phải đến",
               r"đã (được )?đăng ký": "hộ đã đăng ký", r"[Ll]oại hỗ trợ": "Loại hỗ trợ",
               r"[Đđ]ã đóng|[Đđ]óng nhiệm vụ|^Đóng": "Đã đóng",
               r"[Nn]gừng hoạt động (tài khoản|thôn)|tài khoản (này )?đã ngừng hoạt động": "Ngừng hoạt động thôn này",
               r"^Ghi hộ ": "Ghi hộ khác ở Thôn 1",
               r"[Ss]inh hoạt nhóm": "Sinh hoạt nhóm", r"ở tương lai|trong tương lai|ở quá khứ": "Ngày ở tương lai"}
    assert re.search(pattern, samples[pattern])


def test_the_log_summary_names_the_household_helped_not_the_actor(client, world):
    sign_in(client, world["volunteer"])
    html = client.get(f"/logs/{world['log_a'].id}?lang=vi").get_data(as_text=True)
    assert "Đối tượng được hỗ trợ" in html and "Người thực hiện" not in html
    html = client.get(f"/logs/{world['log_a'].id}?lang=en").get_data(as_text=True)
    assert "Household helped" in html
