"""What the load and crash scripts share: the app served by gunicorn on loopback, signed-in
users as a browser holds them (session cookie and CSRF token), and plain HTTP/1.1 requests on
kept-alive connections (http.client: nothing to install, requirements unchanged)."""

import http.client
import os
import re
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn (2 gthread workers x 4 threads, as submit_load.py serves) in a process group of
    its own, so that ``kill9`` reaches the master and every worker at once."""

    def __init__(self, target: str, env: dict, workers: int = 2, threads: int = 4):
        self.target, self.env, self.workers, self.threads = target, env, workers, threads
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        self.process = subprocess.Popen(
            [GUNICORN, "--workers", str(self.workers), "--worker-class", "gthread", "--threads", str(self.threads),
             "--log-level", "warning", "--bind", f"127.0.0.1:{self.port}", self.target],
            cwd=ROOT, env=self.env, start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn does not answer on port {self.port}")

    def pids(self) -> list[int]:
        """The master and its workers."""
        found = [self.process.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    found.append(int(entry.name))
        return found

    def kill9(self) -> int:
        """SIGKILL to the master and the workers; returns how many processes were killed."""
        killed = len(self.pids())
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        # Workers are reaped by init once the master is gone: wait until none is left.
        deadline = time.time() + 10
        while time.time() < deadline and _group_alive(self.process.pid):
            time.sleep(0.05)
        return killed

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class NoAnswer(Exception):
    """The connection failed or closed before a whole answer came back."""


@dataclass
class Answer:
    status: int
    headers: dict
    body: str
    ms: float


class Browser:
    """One signed-in user on one kept-alive connection (not shared between threads)."""

    def __init__(self, port: int, cookie_name: str, cookie: str, timeout: float = 30):
        self.port, self.cookie_name, self.cookie, self.timeout = port, cookie_name, cookie, timeout
        self.token = ""
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, form: dict | list | None = None, htmx: bool = False) -> Answer:
        headers = {"Cookie": f"{self.cookie_name}={self.cookie}", "Accept-Encoding": "identity"}
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.token, **form} if isinstance(form, dict)
                             else [("csrf_token", self.token), *form], doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        for attempt in (1, 2):
            fresh, response = self.connection is None, None
            if fresh:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected) as error:
                # A kept-alive connection the server closed meanwhile, before any byte of an
                # answer: sent again once on a new connection, as browsers do.
                self.close()
                if fresh or attempt == 2 or response is not None:
                    raise NoAnswer(repr(error)) from error
            except (OSError, http.client.HTTPException) as error:
                self.close()
                raise NoAnswer(repr(error)) from error
        answer = Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text,
                        (time.perf_counter() - started) * 1000)
        cookie = answer.headers.get("set-cookie", "")
        if cookie.startswith(self.cookie_name + "="):
            self.cookie = cookie.split(";", 1)[0].split("=", 1)[1]
        if response.will_close:
            self.close()
        return answer

    def open_page(self, path: str) -> Answer:
        """A page, keeping its CSRF token for the forms that follow."""
        answer = self.request("GET", path)
        match = TOKEN.search(answer.body)
        if match:
            self.token = match.group(1)
        return answer

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def session_cookie(app, user) -> str:
    """A session for ``user`` as signing in opens one, as the signed cookie a browser would hold."""
    from app.accounts.sessions import open_session
    from app.extensions import db

    session_id = open_session(user)
    db.session.commit()
    return app.session_interface.get_signing_serializer(app).dumps({"_user_id": session_id, "_fresh": True})


@dataclass
class Volunteer:
    """A volunteer's log form: one of their villages, its households and the active services."""
    user_id: int
    village_id: int
    households: list[int]
    services: list[int]
    day: str
    sent: dict = field(default_factory=dict)

    def form(self, client_uuid: str | None = None, pick: int = 0) -> dict:
        return {"client_uuid": client_uuid or str(uuid.uuid4()), "village_id": self.village_id, "mode": "existing",
                "household_id": self.households[pick % len(self.households)],
                "service_ids": self.services[pick % len(self.services)], "outcome": "done",
                "people_count": 1, "helped_on": self.day, "note": ""}


def volunteer_form(user) -> Volunteer | None:
    """The first of ``user``'s villages that has households, as the form offers it."""
    from sqlalchemy import select

    from app.access import village_ids
    from app.catalog.models import Service
    from app.core.db import local_today
    from app.extensions import db
    from app.households.models import Household

    services = list(db.session.scalars(select(Service.id).where(Service.is_active).order_by(Service.id)))
    for village in db.session.scalars(village_ids(user).order_by(village_ids(user).selected_columns[0])):
        households = list(db.session.scalars(
            select(Household.id).where(Household.village_id == village, Household.anonymised_at.is_(None))
            .order_by(Household.id).limit(60)))
        if households and services:
            return Volunteer(user.id, village, households, services, local_today().isoformat())
    return None
