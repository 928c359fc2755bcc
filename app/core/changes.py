"""Writes say which rows they are about to change, so that read models kept elsewhere (the
coverage summaries) follow in the same transaction, without the domains knowing them.

    with changing(help_logs=[log.id], households=[log.household_id]) as change:
        log.status = "approved"
        ...
        change.add(help_logs=[new_log.id])  # a row created inside the block: nothing before

Each watcher (registered once by the application shell) sees the rows named on entry before
and after the write, and the rows added inside after it only. The caller commits.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from app.extensions import db

KINDS = ("help_logs", "households", "villages")


@dataclass
class Rows:
    """Ids per kind of row: help_logs, households, villages."""

    help_logs: set[int] = field(default_factory=set)
    households: set[int] = field(default_factory=set)
    villages: set[int] = field(default_factory=set)

    def add(self, **ids: Iterable[int | None]) -> None:
        for kind, values in ids.items():
            if kind not in KINDS:
                raise TypeError(f"unknown kind of row: {kind}")
            getattr(self, kind).update(v for v in values if v is not None)

    def __bool__(self) -> bool:
        return bool(self.help_logs or self.households or self.villages)


class Watcher(Protocol):
    def before(self, rows: Rows) -> object: ...

    def after(self, rows: Rows, added: Rows, state: object) -> None: ...


_watchers: dict[str, Watcher] = {}


def watch(name: str, watcher: Watcher) -> None:
    """Register (or replace) a watcher under ``name``."""
    _watchers[name] = watcher


class Change:
    def __init__(self, rows: Rows):
        self.rows = rows
        self.added = Rows()

    def add(self, **ids: Iterable[int | None]) -> None:
        """Rows the block created or began to change after it started: seen after the write only."""
        self.added.add(**ids)


@contextmanager
def changing(**ids: Iterable[int | None]):
    rows = Rows()
    rows.add(**ids)
    change = Change(rows)
    with db.session.no_autoflush:
        states = {name: watcher.before(rows) for name, watcher in _watchers.items()} if rows else {}
    yield change
    if not (rows or change.added):
        return
    db.session.flush()
    for name, watcher in _watchers.items():
        watcher.after(rows, change.added, states.get(name))
