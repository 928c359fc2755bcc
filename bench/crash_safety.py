"""Crash safety: kill -9 gunicorn (master and workers) during a stream of log submissions and
during bulk approvals, restart it, and check that nothing was lost, doubled or half-done.

    .venv/bin/python bench/crash_safety.py                      # SQLite under bench/out/
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/gocua_bench .venv/bin/python bench/crash_safety.py

On PostgreSQL it works in the database `<name>_crash` beside the one BENCH_DATABASE_URL names
(gocua_bench_crash here), created when missing; both are filled by seed-bench at --scale 0.005
when they have no households.

Submissions: volunteers of one team post log forms from several threads, each with a fresh
client_uuid; at a random moment the whole server is killed with SIGKILL. A submission answered
2xx/3xx is acknowledged and must be stored exactly once; one that got no answer must be stored at
most once, and, retried with the same client_uuid after the restart, exactly once. Every stored
log has exactly one `helplog.submitted` audit event, and no log appears that was not sent.

Bulk approvals: the team's leader approves up to 200 pending logs in one POST /review/approve;
the server is killed while the request is in flight (as soon as its transaction has written, or
at a random moment). The selected logs must then be all approved or none, with their audit
events to match, and the coverage summaries equal to a recomputation (app.coverage.summaries.drift);
the same POST after the restart leaves them all approved, exactly once.

Prints what it checked, one `BENCH crash_<what>_<db> <n> count` line per count, and exits 1 on
any violation. tests/ops/test_crash_safety.py runs a shorter version in `make test`.
"""

import argparse
import os
import random
import sqlite3
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from live import Browser, NoAnswer, Server, session_cookie, volunteer_form  # noqa: E402

ACKNOWLEDGED = range(200, 400)


@dataclass
class Outcome:
    """What the client saw of each client_uuid: the answer's status, or None for no answer."""
    answers: dict = field(default_factory=dict)   # client_uuid -> status or None
    forms: dict = field(default_factory=dict)     # client_uuid -> (volunteer, form)
    violations: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)

    def fail(self, message: str) -> None:
        self.violations.append(message)
        print(f"VIOLATION {message}", flush=True)


def pick_team(app) -> tuple[int, list[int], int]:
    """The first team with a leader and plain volunteer members (leading no team) whose villages
    have households: (leader id, up to 4 member ids, team id)."""
    from sqlalchemy import select

    from app.accounts.models import Role
    from app.extensions import db
    from app.teams.models import MemberRole, Membership, Team

    with app.app_context():
        for team in db.session.scalars(select(Team).where(Team.is_active).order_by(Team.id)):
            leaders = [m.user for m in team.memberships if m.role == MemberRole.LEADER and m.user.is_active]
            members = [m.user for m in team.memberships
                       if m.role == MemberRole.MEMBER and m.user.is_active and m.user.role == Role.VOLUNTEER
                       and not db.session.scalar(select(Membership.user_id).where(
                           Membership.user_id == m.user_id, Membership.role == MemberRole.LEADER).limit(1))]
            if leaders and members and volunteer_form(members[0]) is not None:
                return leaders[0].id, [u.id for u in members[:4]], team.id
    raise RuntimeError("no team with a leader and a volunteer member whose village has households")


def signed_in(app, server: Server, user_id: int, page: str) -> Browser:
    from app.accounts.models import User
    from app.extensions import db

    with app.app_context():
        cookie = session_cookie(app, db.session.get(User, user_id))
    browser = Browser(server.port, app.config["SESSION_COOKIE_NAME"], cookie, timeout=20)
    answer = browser.open_page(page)
    if answer.status != 200 or not browser.token:
        raise RuntimeError(f"{page} answered {answer.status} without a form token")
    return browser


def stream(server: Server, browsers: list, outcome: Outcome, stop: threading.Event, threads: int) -> None:
    """Post log forms from ``threads`` threads until ``stop`` is set or the server stops answering."""
    lock = threading.Lock()

    def post(number: int) -> None:
        volunteer, cookie, token, name = browsers[number % len(browsers)]
        browser = Browser(server.port, name, cookie, timeout=20)
        browser.token = token
        pick = number
        while not stop.is_set():
            pick += threads
            form = volunteer.form(pick=pick)
            with lock:
                outcome.forms[form["client_uuid"]] = (volunteer, form)
                outcome.answers[form["client_uuid"]] = None
            try:
                answer = browser.request("POST", "/logs/new", form, htmx=True)
            except NoAnswer:
                break  # no whole answer: the server is gone
            with lock:
                outcome.answers[form["client_uuid"]] = answer.status
            if answer.status not in ACKNOWLEDGED:
                outcome.fail(f"submission answered {answer.status}: {answer.body[:200]!r}")
        browser.close()

    workers = [threading.Thread(target=post, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)


def stored(app, uuids) -> tuple[dict, dict]:
    """(client_uuid -> [log ids], log id -> its helplog.submitted audit events)."""
    from sqlalchemy import func, select

    from app.audit.models import AuditEvent
    from app.extensions import db
    from app.helplogs.models import HelpLog

    with app.app_context():
        rows = db.session.execute(select(HelpLog.client_uuid, HelpLog.id).where(HelpLog.client_uuid.in_(list(uuids))))
        found = {}
        for client_uuid, log_id in rows:
            found.setdefault(client_uuid, []).append(log_id)
        ids = [i for ids in found.values() for i in ids]
        events = dict(db.session.execute(
            select(AuditEvent.object_id, func.count()).where(
                AuditEvent.action == "helplog.submitted", AuditEvent.object_type == HelpLog.__tablename__,
                AuditEvent.object_id.in_(ids)).group_by(AuditEvent.object_id)).all()) if ids else {}
        db.session.remove()
    return found, events


def logs_by(app, author_ids) -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.helplogs.models import HelpLog

    with app.app_context():
        count = db.session.scalar(select(func.count()).select_from(HelpLog).where(HelpLog.author_id.in_(author_ids)))
        db.session.remove()
    return count


def submission_rounds(app, server: Server, rounds: int, seconds: float, threads: int, outcome: Outcome,
                      rng: random.Random) -> None:
    leader_id, member_ids, _ = pick_team(app)
    authors_before = logs_by(app, member_ids)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    with app.app_context():
        from app.accounts.models import User
        from app.extensions import db

        volunteers = [volunteer_form(db.session.get(User, i)) for i in member_ids]
    for number in range(rounds):
        browsers = []
        for volunteer in volunteers:
            browser = signed_in(app, server, volunteer.user_id, "/logs/new")
            browsers.append((volunteer, browser.cookie, browser.token, cookie_name))
            browser.close()
        stop = threading.Event()
        streamer = threading.Thread(target=stream, args=(server, browsers, outcome, stop, threads))
        streamer.start()
        time.sleep(seconds * rng.uniform(0.5, 1.5))
        outcome.counts["processes_killed"] += server.kill9()
        stop.set()
        streamer.join(timeout=90)
        outcome.counts["kills"] += 1
        server.start()
        check_submissions(app, outcome, retry=False)
        retry_unacknowledged(app, server, outcome, cookie_name)
        check_submissions(app, outcome, retry=True)
        print(f"# round {number + 1}: {sum(1 for s in outcome.answers.values() if s in ACKNOWLEDGED)} acknowledged "
              f"so far, {outcome.counts['unacknowledged']} without an answer", flush=True)
    sent = len(outcome.answers)
    added = logs_by(app, member_ids) - authors_before
    outcome.counts["logs_added"] = added
    if added != sent:
        outcome.fail(f"{sent} distinct submissions sent, {added} logs added by their authors")


def check_submissions(app, outcome: Outcome, *, retry: bool) -> None:
    found, events = stored(app, outcome.answers)
    for client_uuid, status in outcome.answers.items():
        ids = found.get(client_uuid, [])
        if status in ACKNOWLEDGED and len(ids) != 1:
            outcome.fail(f"acknowledged submission {client_uuid} stored {len(ids)} times")
        elif status is None and len(ids) > 1:
            outcome.fail(f"unacknowledged submission {client_uuid} stored {len(ids)} times")
        for log_id in ids:
            if events.get(log_id, 0) != 1:
                outcome.fail(f"log {log_id} has {events.get(log_id, 0)} helplog.submitted audit events")
    if not retry:
        unanswered = [u for u, s in outcome.answers.items() if s is None]
        outcome.counts["unacknowledged"] += len(unanswered)
        outcome.counts["unacknowledged_stored_before_retry"] += sum(1 for u in unanswered if found.get(u))


def retry_unacknowledged(app, server: Server, outcome: Outcome, cookie_name: str) -> None:
    """Post each unanswered form again, same client_uuid, as the phone's outbox replays it."""
    browsers = {}
    for client_uuid, status in list(outcome.answers.items()):
        if status is not None:
            continue
        volunteer, form = outcome.forms[client_uuid]
        if volunteer.user_id not in browsers:
            browsers[volunteer.user_id] = signed_in(app, server, volunteer.user_id, "/logs/new")
        answer = browsers[volunteer.user_id].request("POST", "/logs/new", form, htmx=True)
        outcome.answers[client_uuid] = answer.status
        outcome.counts["retried"] += 1
        if answer.status not in ACKNOWLEDGED:
            outcome.fail(f"retry of {client_uuid} answered {answer.status}")
        elif answer.headers.get("x-log-result") == "already":
            outcome.counts["retried_answered_already_saved"] += 1
    for browser in browsers.values():
        browser.close()


# Bulk approvals ---------------------------------------------------------------------------

def pending(app, leader_id: int, limit: int) -> dict[int, int]:
    """``limit`` logs the leader reviews, still submitted (id -> version); approved ones of their
    teams are set back to submitted first when too few are left, the summaries following (as
    bench/review_queue.py tops a backlog up), so that runs repeat on the same database."""
    from sqlalchemy import select, update

    from app.access import review_filter
    from app.accounts.models import User
    from app.core.changes import changing
    from app.extensions import db
    from app.helplogs.models import HelpLog, LogStatus

    with app.app_context():
        leader = db.session.get(User, leader_id)

        def waiting():
            return dict(db.session.execute(
                select(HelpLog.id, HelpLog.version).where(review_filter(leader), HelpLog.status == LogStatus.SUBMITTED)
                .order_by(HelpLog.id).limit(limit)).all())

        rows = waiting()
        if len(rows) < limit:
            back = db.session.execute(
                select(HelpLog.id, HelpLog.household_id)
                .where(review_filter(leader), HelpLog.status == LogStatus.APPROVED)
                .order_by(HelpLog.id.desc()).limit(limit - len(rows))).all()
            if back:
                ids = [i for i, _ in back]
                with changing(help_logs=ids, households=[h for _, h in back]):
                    db.session.execute(update(HelpLog).where(HelpLog.id.in_(ids)).values(
                        status=LogStatus.SUBMITTED, reviewed_by_id=None, reviewed_at=None))
                db.session.commit()
                rows = waiting()
        db.session.remove()
    return rows


def last_event(app) -> int:
    from sqlalchemy import func, select

    from app.audit.models import AuditEvent
    from app.extensions import db

    with app.app_context():
        found = db.session.scalar(select(func.max(AuditEvent.id))) or 0
        db.session.remove()
    return found


def bulk_state(app, seen: dict[int, int], since: int) -> tuple[Counter, int, int, dict]:
    """(statuses of the selected logs, their approval audit events and the bulk events naming
    them, both recorded after the event ``since``, and the summaries' drift)."""
    from sqlalchemy import func, select

    from app.audit.models import AuditEvent
    from app.coverage import summaries
    from app.extensions import db
    from app.helplogs.models import HelpLog

    with app.app_context():
        statuses = Counter()
        for log_id, status, version in db.session.execute(
                select(HelpLog.id, HelpLog.status, HelpLog.version).where(HelpLog.id.in_(list(seen)))):
            statuses[(str(status), version - seen[log_id])] += 1
        approvals = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.id > since, AuditEvent.action == "helplog.approved",
            AuditEvent.object_type == HelpLog.__tablename__, AuditEvent.object_id.in_(list(seen))))
        bulk_events = [changes for (changes,) in db.session.execute(
            select(AuditEvent.changes).where(AuditEvent.id > since, AuditEvent.action == "helplog.bulk_approved"))
            if set((changes or {}).get("log_ids", [])) & set(seen)]
        drift = summaries.drift()
        db.session.remove()
    return statuses, approvals, len(bulk_events), drift


class WriterProbe:
    """Tells whether a transaction of the server has written and not yet ended: on PostgreSQL a
    backend of the database other than this one holding a transaction id, on SQLite the write
    lock taken (BEGIN IMMEDIATE fails at once)."""

    def __init__(self, app):
        from app.extensions import db

        with app.app_context():
            self.url = db.engine.url
        if self.url.get_backend_name() == "postgresql":
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            self.engine = create_engine(self.url, poolclass=NullPool)
            self.connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        else:
            self.engine = None
            self.connection = sqlite3.connect(self.url.database, timeout=0, isolation_level=None)

    def __call__(self) -> bool:
        from sqlalchemy import text

        if self.engine is not None:
            return bool(self.connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")))
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            self.connection.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True

    def close(self) -> None:
        self.connection.close()
        if self.engine is not None:
            self.engine.dispose()


def bulk_rounds(app, server: Server, rounds: int, size: int, outcome: Outcome, rng: random.Random) -> None:
    leader_id, _, _ = pick_team(app)
    baseline = None
    for number in range(rounds):
        seen = pending(app, leader_id, size)
        if len(seen) < 2:
            outcome.fail(f"round {number + 1}: only {len(seen)} pending logs to approve")
            return
        since = last_event(app)
        browser = signed_in(app, server, leader_id, "/review")
        selection = [("log", f"{i}:{v}") for i, v in seen.items()]
        answers = []

        def approve(browser=browser, selection=selection, answers=answers):
            try:
                answers.append(browser.request("POST", "/review/approve", selection))
            except NoAnswer:
                answers.append(None)

        # The 1st, 3rd... round: kill as soon as the request's transaction has written; the others
        # (once one approval's time is known): at a random moment within that time.
        by_write = number % 2 == 0 or baseline is None
        request = threading.Thread(target=approve)
        request.start()
        wrote = False
        if by_write:
            probe = WriterProbe(app)
            try:
                while request.is_alive() and not wrote:
                    wrote = probe()
                    time.sleep(0 if wrote else 0.001)
            finally:
                probe.close()
        else:
            time.sleep(rng.uniform(0, baseline))
        answered_before_kill = not request.is_alive()
        server.kill9()
        request.join(timeout=30)
        outcome.counts["bulk_kills"] += 1
        answer = answers[0] if answers else None
        acknowledged = answer is not None and answer.status in ACKNOWLEDGED
        if answer is not None and not acknowledged:
            outcome.fail(f"bulk approval answered {answer.status}")
        statuses, approvals, bulk_events, drift = bulk_state(app, seen, since)
        none_approved = statuses == Counter({("submitted", 0): len(seen)}) and approvals == 0 and bulk_events == 0
        if none_approved:
            outcome.counts["bulk_killed_none_approved"] += 1
            if acknowledged:
                outcome.fail("an acknowledged bulk approval left its logs unapproved")
        elif statuses == Counter({("approved", 1): len(seen)}) and approvals == len(seen) and bulk_events == 1:
            outcome.counts["bulk_killed_all_approved"] += 1
        else:
            outcome.fail(f"bulk approval half done: statuses {dict(statuses)}, {approvals} approval events, "
                         f"{bulk_events} bulk events")
        if drift:
            outcome.fail(f"coverage summaries drifted after the kill: {drift}")
        if not answered_before_kill and not acknowledged:
            outcome.counts["bulk_killed_in_flight"] += 1
            if wrote:
                outcome.counts["bulk_killed_after_first_write"] += 1
        server.start()
        browser = signed_in(app, server, leader_id, "/review")
        answer = browser.request("POST", "/review/approve", selection)
        browser.close()
        if answer.status not in ACKNOWLEDGED:
            outcome.fail(f"bulk approval retried after the restart answered {answer.status}")
        elif none_approved and baseline is None:
            baseline = answer.ms / 1000  # one whole bulk approval of this size, left alone
        statuses, approvals, bulk_events, drift = bulk_state(app, seen, since)
        if statuses != Counter({("approved", 1): len(seen)}) or approvals != len(seen) or bulk_events != 1:
            outcome.fail(f"after the retry: statuses {dict(statuses)}, {approvals} approval events, "
                         f"{bulk_events} bulk events")
        if drift:
            outcome.fail(f"coverage summaries drifted after the retry: {drift}")
        outcome.counts["bulk_logs_checked"] += len(seen)


def run(app, target: str, env: dict, *, rounds: int = 3, seconds: float = 2.0, threads: int = 6,
        bulk_rounds_: int = 4, bulk_size: int = 200, seed: int | None = None) -> Outcome:
    """Every check against gunicorn serving ``target`` (an app factory call) with ``env``;
    ``app`` reads the same database in this process."""
    from app.coverage import summaries

    rng = random.Random(seed)
    outcome = Outcome()
    with app.app_context():
        drift = summaries.drift()
    if drift:
        outcome.fail(f"the coverage summaries drift before any kill: {drift}")
        return outcome
    server = Server(target, env)
    server.start()
    try:
        submission_rounds(app, server, rounds, seconds, threads, outcome, rng)
        bulk_rounds(app, server, bulk_rounds_, bulk_size, outcome, rng)
    finally:
        server.stop()
    acknowledged = sum(1 for s in outcome.answers.values() if s in ACKNOWLEDGED)
    outcome.counts["submissions_sent"] = len(outcome.answers)
    outcome.counts["submissions_stored_once"] = acknowledged
    return outcome


def report(outcome: Outcome, db_name: str) -> None:
    for name in ("kills", "processes_killed", "submissions_sent", "unacknowledged",
                 "unacknowledged_stored_before_retry", "retried", "retried_answered_already_saved",
                 "submissions_stored_once", "logs_added",
                 "bulk_kills", "bulk_killed_in_flight", "bulk_killed_after_first_write", "bulk_killed_none_approved",
                 "bulk_killed_all_approved", "bulk_logs_checked"):
        print(f"BENCH crash_{name}_{db_name} {outcome.counts[name]} count", flush=True)
    print(f"BENCH crash_violations_{db_name} {len(outcome.violations)} count", flush=True)


def own_database(url: str) -> str:
    """The database ``<name>_crash`` beside the one ``url`` names, created when missing: the kills
    leave their logs behind, and the checks recompute the summaries, which wants a small database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    name = f"{target.database}_crash"
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return target.set(database=name).render_as_string(hide_password=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="kills during the submission stream")
    parser.add_argument("--seconds", type=float, default=3.0, help="mean time from (re)start to each kill")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--bulk-rounds", type=int, default=6)
    parser.add_argument("--bulk-size", type=int, default=200)
    parser.add_argument("--scale", type=float, default=0.005, help="seed-bench size when the database is empty")
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()

    from common import OUT, machine_note
    from common import prepare as prepare_database

    from config import database_url

    OUT.mkdir(parents=True, exist_ok=True)
    if os.environ.get("BENCH_DATABASE_URL"):
        url = own_database(database_url(os.environ["BENCH_DATABASE_URL"]))
    else:
        url = database_url(f"sqlite:///{OUT / f'crash-{args.scale:g}.sqlite'}")
    secret = "bench-only-secret"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = {**os.environ, "GOCUA_CONFIG": "production", "SECRET_KEY": secret, "DATABASE_URL": url,
           "REDIS_URL": redis_url, "LOG_LEVEL": "CRITICAL", "GOCUA_INSTANCE": str(OUT)}
    os.environ.update(env)
    app = prepare_database(url, args.scale, "production", SECRET_KEY=secret, RATELIMIT_STORAGE_URI=redis_url)
    db_name = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(machine_note(), flush=True)
    outcome = run(app, "app:create_app('production')", env, rounds=args.rounds, seconds=args.seconds,
                  threads=args.threads, bulk_rounds_=args.bulk_rounds, bulk_size=args.bulk_size, seed=args.seed)
    counts = outcome.counts
    print(f"# {db_name}: {counts['kills']} kills of the server during submissions ({counts['processes_killed']} "
          f"processes), {counts['submissions_sent']} submissions, {counts['unacknowledged']} without an answer "
          f"({counts['unacknowledged_stored_before_retry']} of them stored before the retry), all retried; "
          f"{counts['bulk_kills']} kills during bulk approvals ({counts['bulk_killed_in_flight']} in flight), "
          f"{counts['bulk_logs_checked']} logs checked", flush=True)
    report(outcome, db_name)
    print(machine_note(), flush=True)
    for violation in outcome.violations:
        print(f"# VIOLATION {violation}")
    return 1 if outcome.violations else 0


if __name__ == "__main__":
    sys.exit(main())
