"""The world the leak probe runs in: our team in commune A, another team in the same commune,
and a team in commune B, each with households, logs, tasks and people whose names and phones
appear nowhere else, so finding one in an answer can only be a leak.

Each role probes from inside team A's world; ``forbidden_values`` says what that role must
never read (DESIGN §5 and §6).
"""

import uuid
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import select

from app.accounts.models import Role
from app.core.db import local_today
from app.core.text import mask_phone, search_key
from app.coverage.models import ANY
from app.coverage.models import Target as CoverageTarget
from app.extensions import db
from app.helplogs.services import LogInput, submit_log
from app.households.models import ConsentMethod
from app.households.services import Consent, HouseholdData, create_household
from app.teams.models import Membership
from tests.conftest import make_household, make_services, make_task, make_team, make_user

# Who probes, as which account of the world.
ROLES = {
    "volunteer": "volunteer",            # member of team A
    "leader": "leader",                  # leader of team A
    "staff_commune": "staff_a",          # staff homed in commune A
    "staff_province": "staff",           # staff homed in the province
    "admin_commune": "admin_a",          # administrator homed in commune A
}
ROLE_OF = {"volunteer": Role.VOLUNTEER, "leader": Role.LEADER, "staff_commune": Role.STAFF,
           "staff_province": Role.STAFF, "admin_commune": Role.ADMIN}
# A province administrator legitimately sees everything: nothing to probe for.

TARGETS = ("other_team", "other_commune")
# The targets outside each role's scope: what it must not read anything personal of, nor change.
OUT_OF_SCOPE = {
    "volunteer": {"other_team", "other_commune"},
    "leader": {"other_team", "other_commune"},
    "staff_commune": {"other_commune"},
    "staff_province": set(),
    "admin_commune": {"other_commune"},
}
# A leader adds members from among the people of the team's commune (teams.queries.candidate_filter):
# the names of another team's people in that commune are theirs to find. Phones stay out of reach.
NAMES_IN_SCOPE = {"leader": {"other_team"}}
# Staff see aggregates and pseudonymised lists only: no household's name, phone or notes anywhere,
# nor the notes of a log (DESIGN §5).
SEES_NO_HOUSEHOLDS = {"staff_commune", "staff_province"}


def phone_forms(phone: str) -> list[str]:
    """How a stored +84 phone can appear on a page: as stored, local, spaced, and masked.
    The masked form counts too: a household out of scope is mentioned without name or place,
    and a masked number (first three and last two digits) is part of its identity."""
    local = "0" + phone[3:]
    return [phone, local, f"{local[:4]} {local[4:7]} {local[7:]}", mask_phone(phone)]


def typed_like(phone: str) -> str:
    """The same number as someone might type it, in no form the app prints: a probe may send
    this and its echo in the answer is no leak."""
    local = "0" + phone[3:]
    return f"({local[:3]}) {local[3:6]}-{local[6:]}"


def unaccented(name: str) -> str:
    """A name typed without accents: the duplicate check finds it, the page's echo is no leak."""
    return search_key(name).title()


@dataclass
class Target:
    """One team's objects, by the kind of id that names them."""

    objects: dict
    household_name: str
    household_phone: str


def _household(actor, village, name: str, phone: str, notes: str):
    """A household saved the way a volunteer saves one, so the audit trail holds its creation."""
    data = HouseholdData(display_name=name, phone=phone, notes=notes, member_count=3)
    return create_household(actor, village, data, Consent(method=ConsentMethod.SIGNED))


def _log(author, household, service, note: str):
    data = LogInput(village_id=household.village_id, service_ids=[service.id], helped_on=local_today(),
                    household_id=household.id, note=note)
    log, _ = submit_log(author, str(uuid.uuid4()), data)
    return log


def _membership(team, user):
    """The membership's id only: a probe may remove it, and the id must still be sent afterwards."""
    return SimpleNamespace(id=next(m.id for m in team.memberships if m.user_id == user.id))


def _training(w: dict, service) -> None:
    """A question bank and quiz (the province's), and a session per side, each with its own
    trainee who has handed in the post-test: their names are on the session's pages."""
    from datetime import datetime

    from app.training import services as training
    from app.training import taking
    from app.training.models import Attendee, QuizState, Stage

    staff = w["staff"]
    question = training.create_question(staff, training.QuestionInput("Câu hỏi thăm dò?", service.id,
                                                                      ["Đúng", "Sai"], 0, ""))
    w["question"] = question
    w["quiz"] = training.create_quiz(staff, training.QuizInput("Bài thăm dò", 70, [question.id]))
    for key, commune, trainee in (("session_a", "commune_a", "volunteer"), ("session_a2", "commune_a", "volunteer2"),
                                  ("session_b", "commune_b", "outsider")):
        session = training.create_session(staff, training.SessionInput(
            f"Lớp {key}", datetime(2026, 11, 20, 8, 0), w[commune].id, w["quiz"].id))
        session.post_state = QuizState.OPEN
        db.session.add(Attendee(session_id=session.id, user_id=w[trainee].id))
        db.session.commit()
        taking.answer(w[trainee], session, Stage.POST, question.id, question.choices[0].id)
        taking.submit(w[trainee], session, Stage.POST)
        w[key] = session


def build(world: dict) -> dict:
    """Adds to conftest's ``world``: the commune's own staff and administrator, a second team
    in commune A, people and logs in commune B, and distinctive values throughout."""
    w = dict(world)
    services = make_services()
    vneid = services["VNEID"]
    commune_a, commune_b = w["commune_a"], w["commune_b"]
    w["staff_a"] = make_user("staff_a", Role.STAFF, commune_a, full_name="Cán Bộ Xã A")
    w["admin_a"] = make_user("admin_a", Role.ADMIN, commune_a, full_name="Quản Trị Xã A")

    # Our side: team A (from conftest), its household with a phone.
    w["household_a"].display_name = "Đặng Thị Ánh Nguyệt"
    w["household_a"].phone = "+84351112222"
    db.session.commit()

    # Another team of commune A, in the commune's second village.
    w["leader2"] = make_user("leader2", Role.LEADER, commune_a, full_name="Ngô Thị Thu Trang", phone="+84862223344")
    w["volunteer2"] = make_user("volunteer2", Role.VOLUNTEER, commune_a, full_name="Tạ Quang Vĩnh Lộc",
                                phone="+84563334455")
    w["team_a2"] = make_team(commune_a, [w["village_a2"]], leaders=[w["leader2"]], members=[w["volunteer2"]],
                             name="Tổ Thạch Long")
    w["household_a2"] = _household(w["volunteer2"], w["village_a2"], "Phan Thị Quỳnh Hoa", "0387654321",
                                   "Cạnh giếng làng Đông")
    w["log_a2"] = _log(w["volunteer2"], w["household_a2"], vneid, "Bà cụ cần đeo kính")
    w["task_a2"] = make_task(w["team_a2"], w["village_a2"], [vneid], leader=w["leader2"],
                             assignee=w["volunteer2"], households=[w["household_a2"]])

    # Commune B: team B (from conftest) gets a leader, and its member and household distinctive values.
    w["outsider"].full_name, w["outsider"].phone = "Mạc Đăng Khoa Bình", "+84794445566"
    w["leader_b"] = make_user("leader_b", Role.LEADER, commune_b, full_name="Lò Thị Xuân Mai", phone="+84325556677")
    w["team_b"].memberships.append(Membership(user=w["leader_b"], role="leader"))
    db.session.commit()
    w["household_b"] = _household(w["outsider"], w["village_b1"], "Trịnh Văn Bảo Khánh", "0971112233",
                                  "Sau chợ Nghèn cũ")
    w["log_b"] = _log(w["outsider"], w["household_b"], vneid, "Ông cụ nghe kém")
    w["task_b"] = make_task(w["team_b"], w["village_b1"], [vneid], leader=w["leader_b"],
                            assignee=w["outsider"], households=[w["household_b"]])
    # A second household in commune B, for the lists of a village.
    w["household_b2"] = make_household(w["village_b1"], "Kiều Thị Diễm Phương", phone="+84589990011")
    w["service"] = vneid
    # A coverage target in each team's village.
    for key, village in (("target_a", "village_a1"), ("target_a2", "village_a2"), ("target_b", "village_b1")):
        w[key] = CoverageTarget(area=w[village], year=local_today().year, key=ANY, households=1)
        db.session.add(w[key])
    db.session.commit()
    _training(w, vneid)
    w["targets"] = _targets(w)
    # Read now: a probe that wrongly erases or renames something must not shrink what is looked for.
    w["forbidden"] = {role: forbidden_values(w, role) for role in ROLES}
    return w


def _targets(w: dict) -> dict[str, Target]:
    """The objects the probe fills ids with: ours (team A) and the two others."""
    def team_objects(team, village, commune, household, log, task, member, target, training_session):
        return {"village": village, "commune": commune, "household": household, "log": log, "task": task,
                "team": team, "user": member, "membership": _membership(team, member),
                "service": w["service"], "target": target, "question": w["question"], "quiz": w["quiz"],
                "training_session": training_session}

    return {
        "own": Target(team_objects(w["team_a"], w["village_a1"], w["commune_a"], w["household_a"], w["log_a"],
                                   w["task_a"], w["volunteer"], w["target_a"], w["session_a"]),
                      w["household_a"].display_name, w["household_a"].phone),
        "other_team": Target(team_objects(w["team_a2"], w["village_a2"], w["commune_a"], w["household_a2"],
                                          w["log_a2"], w["task_a2"], w["volunteer2"], w["target_a2"], w["session_a2"]),
                             w["household_a2"].display_name, w["household_a2"].phone),
        "other_commune": Target(team_objects(w["team_b"], w["village_b1"], w["commune_b"], w["household_b"],
                                             w["log_b"], w["task_b"], w["outsider"], w["target_b"], w["session_b"]),
                                w["household_b"].display_name, w["household_b"].phone),
    }


def _personal(label: str, name: str | None, phone: str | None, *notes: str | None) -> dict[str, str]:
    values = {}
    if name:
        values[name] = f"{label} name"
    for form in phone_forms(phone) if phone else ():
        values[form] = f"{label} phone"
    for note in notes:
        if note:
            values[note] = f"{label} note"
    return values


def forbidden_values(w: dict, role: str) -> dict[str, str]:
    """value -> what it is, for every personal value ``role`` must not read."""
    out = OUT_OF_SCOPE[role]
    values = {}
    people = {"other_team": ("leader2", "volunteer2"), "other_commune": ("outsider", "leader_b")}
    households = {"other_team": ("household_a2",), "other_commune": ("household_b", "household_b2")}
    logs = {"other_team": ("log_a2",), "other_commune": ("log_b",)}
    for target in TARGETS:
        if target in out:
            for key in people[target]:
                name = None if target in NAMES_IN_SCOPE.get(role, ()) else w[key].full_name
                values |= _personal(f"{target} user {key}", name, w[key].phone)
    for target in ("own", *TARGETS):
        if target in out or role in SEES_NO_HOUSEHOLDS:
            for key in households.get(target, ("household_a",)):
                h = w[key]
                values |= _personal(f"{target} {key}", h.display_name, h.phone, h.notes)
            for key in logs.get(target, ("log_a",)):
                values |= _personal(f"{target} {key}", None, None, w[key].note)
    return values


def snapshot(w: dict, target: str) -> dict:
    """What a write could change on a target's objects, read fresh from the database."""
    db.session.expire_all()
    t = w["targets"][target].objects
    household, log, task, team, user, village, target = (
        t[k] for k in ("household", "log", "task", "team", "user", "village", "target"))
    return {
        "household": (household.display_name, household.phone, household.notes, household.village_id,
                      household.member_count, household.anonymised_at),
        "log": (log.status, log.version, log.note, log.household_id, log.return_comment),
        "task": (task.status, task.version, task.assignee_id, task.note, task.due_on, task.target_count),
        "team": (team.name, team.is_active, sorted(v.id for v in team.villages),
                 sorted((m.user_id, m.role) for m in team.memberships)),
        "user": (user.full_name, user.phone, user.role, user.is_active, user.home_area_id, user.password_hash),
        "village": (village.name, village.is_active, village.former_commune),
        "target": db.session.execute(select(CoverageTarget.households).filter_by(id=target.id)).scalar(),
    }

