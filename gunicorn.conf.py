"""gunicorn reads this file from the directory it starts in.

With PROMETHEUS_MULTIPROC_DIR set, every worker keeps its metrics in files there and a scrape of
/metrics adds them up (app/core/metrics.py). The files of an earlier run would be added too, so
the directory is emptied when the server starts, before any worker.
"""

import os
from pathlib import Path


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
