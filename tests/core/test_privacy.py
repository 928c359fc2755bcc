"""Notes refuse citizen id numbers and secrets, and let everyday text through."""

import pytest

from app.core.privacy import CITIZEN_ID_MESSAGE, SECRET_MESSAGE, privacy_problem


@pytest.mark.parametrize("text", [
    "CCCD 042095001234",
    "số 042 095 001 234 của bác",
    "042.095.001.234",
    "mật khẩu: hoa1985",
    "Mật khẩu là abcxyz",
    "mk hoa1985",
    "OTP 123456",
    "ma otp=998877",
    "Mã PIN 1234",
    "password: secret",
])
def test_refused(text):
    assert privacy_problem(text) in (CITIZEN_ID_MESSAGE, SECRET_MESSAGE)


def test_reasons_differ():
    assert privacy_problem("042095001234") == CITIZEN_ID_MESSAGE
    assert privacy_problem("otp 123456") == SECRET_MESSAGE


@pytest.mark.parametrize("text", [
    "",
    None,
    "Bác quên mật khẩu VNeID, đã hướng dẫn đặt lại",
    "Gọi lại số 0912345678 chiều mai",   # a phone number has 10 digits
    "Hộ có 5 người, 2 người đã có VNeID mức 2",
    "Hướng dẫn cài mã PIN cho ví, bác tự đặt",
    "Năm 2026, tháng 11",
])
def test_allowed(text):
    assert privacy_problem(text) is None
