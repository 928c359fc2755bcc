"""The help categories of DESIGN §3: code, Vietnamese name, English name, skill (1–5), and the
short names lists show (Vietnamese, English)."""

SERVICES = [
    ("VNEID", "Định danh điện tử VNeID", "VNeID e-identity", 1),
    ("DVC", "Dịch vụ công trực tuyến", "Online public services", 1),
    ("TTKDTM", "Thanh toán không dùng tiền mặt", "Cashless payment", 3),
    ("QR", "Mã QR thanh toán cho hộ kinh doanh", "Merchant QR payment", 3),
    ("TMDT", "Đưa nông sản, sản phẩm OCOP lên sàn thương mại điện tử",
     "E-commerce for farm and OCOP products", 2),
    ("KNS", "Kỹ năng số cơ bản", "Basic digital skills", 5),
    ("ATTT", "An toàn trên không gian mạng, phòng chống lừa đảo", "Online safety and anti-fraud", 4),
    ("YTASXH", "Y tế số và an sinh số (VssID, sổ sức khỏe điện tử)",
     "Digital health and social benefits", 5),
    ("CKS", "Chữ ký số cá nhân", "Personal digital signature", 1),
    ("PAHT", "Ứng dụng công dân số của tỉnh, phản ánh hiện trường", "Provincial citizen app", 5),
    ("KHAC", "Khác", "Other", 5),
]

SHORT_NAMES = {
    "VNEID": ("VNeID", "VNeID"),
    "DVC": ("Dịch vụ công", "Public services"),
    "TTKDTM": ("Thanh toán số", "Cashless"),
    "QR": ("QR bán hàng", "Merchant QR"),
    "TMDT": ("Bán hàng online", "Selling online"),
    "KNS": ("Kỹ năng số", "Digital skills"),
    "ATTT": ("An toàn mạng", "Online safety"),
    "YTASXH": ("Y tế số", "Digital health"),
    "CKS": ("Chữ ký số", "Digital signature"),
    "PAHT": ("Công dân số", "Citizen app"),
    "KHAC": ("Khác", "Other"),
}
