"""Plausible Vietnamese names for generated households and volunteers."""

import random

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ",
          "Ngô", "Dương", "Đinh", "Thái", "Hà", "Lưu", "Đào", "Trương", "Cao"]
FAMILY_WEIGHTS = [30, 10, 9, 7, 5, 6, 6, 3, 3, 3, 4, 2, 2, 2, 2, 1, 1, 1, 2, 1]
MALE_MIDDLE = ["Văn", "Đức", "Hữu", "Quang", "Minh", "Đình", "Xuân", "Công", "Thanh", "Ngọc"]
FEMALE_MIDDLE = ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh", "Phương"]
MALE_GIVEN = ["Đức", "Hùng", "Tuấn", "Dũng", "Nam", "Bình", "Sơn", "Long", "Hải", "Thắng",
              "Cường", "Hiếu", "Phúc", "Tài", "Lâm", "Khoa", "Quý", "Tiến", "Vinh", "Toàn"]
FEMALE_GIVEN = ["Lan", "Hoa", "Hương", "Mai", "Thảo", "Trang", "Hà", "Nga", "Huyền", "Liên",
                "Yến", "Loan", "Hằng", "Nhung", "Oanh", "Dung", "Tâm", "Phượng", "Xuân", "Hiền"]
SHOPS = ["Tạp hóa", "Quán", "Cửa hàng", "Đại lý"]


def person_name(rng: random.Random) -> str:
    family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
    if rng.random() < 0.6:
        return f"{family} {rng.choice(MALE_MIDDLE)} {rng.choice(MALE_GIVEN)}"
    return f"{family} {rng.choice(FEMALE_MIDDLE)} {rng.choice(FEMALE_GIVEN)}"


def shop_name(rng: random.Random) -> str:
    return f"{rng.choice(SHOPS)} {rng.choice(FEMALE_GIVEN + MALE_GIVEN)}"


def mobile_number(rng: random.Random) -> str:
    prefix = rng.choice(["32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98",
                         "91", "94", "88", "83", "84", "85", "70", "76", "77", "78", "79"])
    return f"+84{prefix}{rng.randrange(10**7):07d}"
