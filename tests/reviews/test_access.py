"""Who reviews which log: a leader reviews the logs of the teams they lead, not those of a team
they only belong to as a plain member (the review filter asks for the leading membership)."""

import pytest
from sqlalchemy import select

from app.access import can, review_filter
from app.helplogs.models import HelpLog, LogStatus
from app.reviews.services import approve_many
from tests.conftest import make_log, make_member, sign_in
from tests.reviews.conftest import HTMX, fresh


@pytest.fixture()
def member_elsewhere(db, world):
    """The leader of team A joins team B as a plain member; a member of team B logs help there."""
    from app.teams.models import MemberRole, Membership

    db.session.add(Membership(team=world["team_b"], user=world["leader"], role=MemberRole.MEMBER))
    db.session.commit()
    author = make_member(world["team_b"], "author_b")
    return make_log(author, world["team_b"], world["household_b"])


def test_a_leader_reviews_only_the_teams_they_lead(db, world, member_elsewhere):
    leader, log_b = world["leader"], member_elsewhere
    assert can(leader, "review", world["log_a"])
    assert not can(leader, "review", log_b)
    reviewed = set(db.session.scalars(select(HelpLog.id).where(review_filter(leader))))
    assert reviewed == {world["log_a"].id}


def test_bulk_approval_skips_a_team_the_leader_only_belongs_to(db, world, member_elsewhere):
    log_b = member_elsewhere
    result = approve_many(world["leader"], {log_b.id: 1, world["log_a"].id: 1})
    assert [log.id for log in result.approved] == [world["log_a"].id] and result.stale == []
    assert fresh(db, log_b).status == LogStatus.SUBMITTED and fresh(db, log_b).version == 1


def test_the_queue_and_the_review_posts_hide_that_teams_logs(client, db, world, member_elsewhere):
    log_b = member_elsewhere
    sign_in(client, world["leader"])
    queue = client.get("/review").get_data(as_text=True)
    assert f'review-{world["log_a"].id}"' in queue and f'review-{log_b.id}"' not in queue
    assert client.post(f"/review/{log_b.id}/approve", data={"version": "1"}, headers=HTMX).status_code == 404
    returned = client.post(f"/review/{log_b.id}/return", data={"version": "1", "reason": "other", "comment": "x"})
    assert returned.status_code == 404
    assert fresh(db, log_b).status == LogStatus.SUBMITTED and fresh(db, log_b).version == 1


def test_a_plain_member_sees_their_own_logs_of_that_team_not_the_others(client, db, world, member_elsewhere):
    own = make_log(world["leader"], world["team_b"], world["household_b"])
    sign_in(client, world["leader"])
    assert client.get(f"/logs/{own.id}").status_code == 200
    assert client.get(f"/logs/{member_elsewhere.id}").status_code == 404
