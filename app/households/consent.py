"""The consent wording shown to a resident before anything identifying them is stored.

A change of wording gets a new version; each household keeps the version it agreed to.
"""

CONSENT_VERSION = "2026-01"

CONSENT_TEXT_VI = (
    "Đoàn viên, tình nguyện viên xin phép ghi lại tên chủ hộ (hoặc tên gọi của hộ), số điện thoại "
    "nếu ông/bà đồng ý cung cấp, số nhân khẩu và các lần được hỗ trợ chuyển đổi số, chỉ để tổ công "
    "nghệ số cộng đồng theo dõi và tiếp tục hỗ trợ. Chúng tôi không ghi số căn cước, không chụp giấy "
    "tờ, không hỏi mật khẩu hay mã OTP. Ông/bà có thể yêu cầu xóa thông tin bất cứ lúc nào."
)
