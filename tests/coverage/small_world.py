"""A small world whose coverage figures are known by hand, shared by the coverage page's tests.

On top of the ``world`` fixture (province; commune A with villages a1, a2; commune B with b1):

- a1 declares 10 households; it has h1 (household_a), h2, h3 in the app's list.
- a2 declares nothing; it has h4 and h5 in the list, so its N is 2. a3 (commune A) is never visited.
- b1 declares 20 households; household_b is in the list.
- approved logs, 2025:
  L1 15/01 h1 VNeID, 2 people, by the volunteer (team A)
  L2 10/02 h1 DVC, 1 person, by the leader (team A)
  L3 20/02 h2 cashless payment, 3 people, by the volunteer
  L4 05/02 h4 (a2) VNeID, 1 person, by vol2 (team A2)
  L5 12/02 b1 group session (no household) basic digital skills, 15 people, by the outsider (team B)
  L6 03/03 h1 e-commerce + cashless + online safety + basic skills, 2 people, by the volunteer:
     h1 now covers all five skills
- not counted: a submitted log for h3 on 01/02, and the world's own submitted log.
- former districts: commune A "Huyện Thạch Hà, Thị xã Hà Tĩnh"; commune B "Huyện Can Lộc".
"""

import uuid
from datetime import date

from app.accounts.models import Role
from app.areas.models import AreaKind
from app.coverage import summaries
from app.extensions import db
from app.helplogs.models import HelpLog, LogStatus
from tests.conftest import make_area, make_household, make_services, make_team, make_user

FEB = (date(2025, 2, 1), date(2025, 2, 28))
MARCH = (date(2025, 3, 1), date(2025, 3, 31))
TODAY = date(2025, 3, 20)  # a2's last visit (05/02) and b1's (12/02) are over 30 days old; a1's (03/03) is not


def log(author, team, village, household, services, day, people, status=LogStatus.APPROVED):
    entry = HelpLog(client_uuid=str(uuid.uuid4()), author_id=author.id, team_id=team.id, village_id=village.id,
                    household_id=household.id if household else None, services=list(services), helped_on=day,
                    people_count=people, status=status)
    db.session.add(entry)
    return entry


def build(world) -> dict:
    w = dict(world)
    s = make_services()
    w["services"] = s
    w["village_a1"].declared_households = 10
    w["village_b1"].declared_households = 20
    w["commune_a"].former_district = "Huyện Thạch Hà, Thị xã Hà Tĩnh"
    w["commune_b"].former_district = "Huyện Can Lộc"
    db.session.commit()
    w["village_a3"] = make_area(AreaKind.VILLAGE, "Thôn 3", w["commune_a"])
    w["h1"] = w["household_a"]
    w["h2"] = make_household(w["village_a1"], "Lê Thị Hai")
    w["h3"] = make_household(w["village_a1"], "Phạm Văn Ba")
    w["h4"] = make_household(w["village_a2"], "Hoàng Thị Bốn")
    w["h5"] = make_household(w["village_a2"], "Vũ Văn Năm")
    w["vol2"] = make_user("vol2", Role.VOLUNTEER, w["commune_a"])
    w["team_a2"] = make_team(w["commune_a"], [w["village_a2"]], members=[w["vol2"]], name="Tổ 2")
    a1, a2, b1 = w["village_a1"], w["village_a2"], w["village_b1"]
    team_a, team_b = w["team_a"], w["team_b"]
    log(w["volunteer"], team_a, a1, w["h1"], [s["VNEID"]], date(2025, 1, 15), 2)
    log(w["leader"], team_a, a1, w["h1"], [s["DVC"]], date(2025, 2, 10), 1)
    log(w["volunteer"], team_a, a1, w["h2"], [s["TTKDTM"]], date(2025, 2, 20), 3)
    log(w["vol2"], w["team_a2"], a2, w["h4"], [s["VNEID"]], date(2025, 2, 5), 1)
    log(w["outsider"], team_b, b1, None, [s["KNS"]], date(2025, 2, 12), 15)
    log(w["volunteer"], team_a, a1, w["h1"], [s["TMDT"], s["TTKDTM"], s["ATTT"], s["KNS"]], date(2025, 3, 3), 2)
    log(w["volunteer"], team_a, a1, w["h3"], [s["VNEID"]], date(2025, 2, 1), 1, status=LogStatus.SUBMITTED)
    db.session.commit()
    summaries.rebuild()
    db.session.commit()
    return w
