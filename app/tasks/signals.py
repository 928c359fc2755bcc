"""What tasks tell the packages above them, which tasks may not import (training's readiness
warning, for one): a task was saved with someone to do it."""

from blinker import Namespace

_signals = Namespace()

#: Sent by the task routes after a task with an assignee is set or changed, before the redirect
#: to its page: ``sender`` the app, ``task`` and ``actor`` (who saved it). A receiver may flash.
assigned = _signals.signal("task-assigned")
