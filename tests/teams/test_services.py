"""Team services: creating, renaming, choosing villages, deactivating; adding members, making
leaders and removing members, with the one-leader rule."""

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.teams.models import MemberRole, Membership
from app.teams.services import (
    TeamError,
    add_member,
    create_team,
    remove_member,
    set_member_role,
    set_team_active,
    update_team,
)
from tests.conftest import english, events, make_team
from tests.teams.conftest import membership, team_count


def test_create_team_audits(db, world):
    team = create_team(world["admin"], name="  Tổ công nghệ số   Thạch Hà 2 ", commune=world["commune_a"])
    assert team.name == "Tổ công nghệ số Thạch Hà 2" and team.search_key == "to cong nghe so thach ha 2"
    (event,) = events(db, "team.created")
    assert event.changes == {"name": "Tổ công nghệ số Thạch Hà 2", "commune_id": world["commune_a"].id}


@pytest.mark.parametrize("name,status", [("T" * 500, 400), ("🚀🚀", 400), ("", 400), ("tổ 1", 409)])
def test_create_team_refuses_bad_names_and_saves_nothing(db, world, name, status):
    before = team_count(db)
    with pytest.raises(TeamError) as refused:
        create_team(world["admin"], name=name, commune=world["commune_a"])
    assert refused.value.field == "name" and refused.value.status == status
    assert english(refused.value)
    assert team_count(db) == before


def test_update_team_renames_and_sets_villages_with_old_and_new(db, world):
    team = world["team_a"]
    changes = update_team(world["admin"], team, name="Tổ Thạch Hà",
                          village_ids=[world["village_a1"].id, world["village_a2"].id])
    assert changes == {"name": ["Tổ 1", "Tổ Thạch Hà"],
                       "village_ids": [[world["village_a1"].id],
                                       sorted([world["village_a1"].id, world["village_a2"].id])]}
    assert events(db, "team.updated")[0].changes == changes
    assert update_team(world["admin"], team, name="Tổ Thạch Hà",
                       village_ids=[world["village_a1"].id, world["village_a2"].id]) == {}


def test_update_team_refuses_villages_of_another_commune_and_changes_nothing(db, world):
    team = world["team_a"]
    with pytest.raises(TeamError) as refused:
        update_team(world["admin"], team, name="Tổ mới", village_ids=[world["village_a2"].id, world["village_b1"].id])
    assert refused.value.field == "villages"
    db.session.rollback()
    db.session.refresh(team)
    assert team.name == "Tổ 1" and [v.id for v in team.villages] == [world["village_a1"].id]


def test_a_deactivated_village_may_stay_but_not_be_added(db, world):
    world["village_a1"].is_active = False
    world["village_a2"].is_active = False
    db.session.commit()
    team = world["team_a"]
    update_team(world["admin"], team, name="Tổ 1 mới", village_ids=[world["village_a1"].id])
    with pytest.raises(TeamError):
        update_team(world["admin"], team, name="Tổ 1 mới", village_ids=[world["village_a1"].id, world["village_a2"].id])


def test_deactivate_and_reactivate_a_team(db, world):
    team = world["team_a"]
    set_team_active(world["admin"], team, False)
    assert not team.is_active and events(db, "team.deactivated")
    create_team(world["admin"], name="Tổ 1", commune=world["commune_a"])  # the name is free again
    with pytest.raises(TeamError) as refused:
        set_team_active(world["admin"], team, True)
    assert refused.value.status == 409


def test_leader_adds_a_member_of_their_commune(db, world, duc):
    added = add_member(world["leader"], world["team_a"], duc)
    assert added.role == MemberRole.MEMBER
    assert events(db, "team.member_added")[0].changes == {"user_id": duc.id, "role": "member"}


def test_a_user_may_be_in_several_teams(db, world, duc):
    other = make_team(world["commune_a"], [world["village_a2"]], name="Tổ 2")
    add_member(world["admin"], world["team_a"], duc)
    add_member(world["admin"], other, duc)
    assert len(db.session.scalars(select(Membership).where(Membership.user_id == duc.id)).all()) == 2


def test_add_member_refusals(db, world, duc):
    team = world["team_a"]
    with pytest.raises(TeamError) as refused:
        add_member(world["leader"], team, world["volunteer"])
    assert refused.value.status == 409 and "already in this team" in english(refused.value)
    with pytest.raises(TeamError) as refused:
        add_member(world["leader"], team, world["outsider"])  # homed in another commune
    assert refused.value.status == 403
    with pytest.raises(TeamError) as refused:
        add_member(world["volunteer"], team, duc)
    assert refused.value.status == 403
    with pytest.raises(TeamError) as refused:
        add_member(world["leader"], world["team_b"], duc)  # not their team
    assert refused.value.status == 403
    duc.is_active = False
    db.session.commit()
    with pytest.raises(TeamError) as refused:
        add_member(world["admin"], team, duc)
    assert refused.value.status == 409
    assert add_member(world["admin"], team, world["outsider"]).id  # admins may add anyone they manage


def test_make_leader_raises_the_volunteer_role_and_back_keeps_one_leader(db, world):
    team, volunteer = world["team_a"], world["volunteer"]
    m = membership(db, team, volunteer)
    set_member_role(world["leader"], m, "leader")
    assert m.role == MemberRole.LEADER and volunteer.role == Role.LEADER
    assert events(db, "user.updated")[0].changes == {"role": ["volunteer", "leader"]}
    assert events(db, "team.member_role_changed")[0].changes == {"user_id": volunteer.id, "role": ["member", "leader"]}
    set_member_role(world["leader"], membership(db, team, world["leader"]), "member")  # two leaders: fine
    with pytest.raises(TeamError) as refused:
        set_member_role(world["admin"], m, "member")
    assert refused.value.status == 409 and "only leader" in english(refused.value)
    assert volunteer.role == Role.LEADER  # stepping down never lowers the account role


def test_the_only_leader_is_not_removed_while_others_remain(db, world):
    team = world["team_a"]
    leader = membership(db, team, world["leader"])
    with pytest.raises(TeamError):
        remove_member(world["admin"], leader)
    remove_member(world["leader"], membership(db, team, world["volunteer"]))
    assert events(db, "team.member_removed")[0].changes == {"user_id": world["volunteer"].id, "role": "member"}
    remove_member(world["admin"], leader)  # alone in the team: may go
    db.session.expire_all()
    assert team.memberships == []
