"""gunicorn reads this file from the directory it starts in.

Workers: gthread, 2 per server of 2 cores, 4 threads each, chosen by measurement
(bench/submit_load.py on the province data, see bench/README.md): a submission spends about
half its time waiting for PostgreSQL, and threads fill that wait where a sync worker sits
idle. Sync workers answered a quarter as many submissions, at twice the CPU per request
(they close every connection); 2 threads per worker, or 4 workers of 2, did no better than 2 of 4.
WEB_CONCURRENCY sets the workers on a bigger server (about one per core).

With PROMETHEUS_MULTIPROC_DIR set, every worker keeps its metrics in files there and a scrape of
/metrics adds them up (app/core/metrics.py). The files of an earlier run would be added too, so
the directory is emptied when the server starts, before any worker.
"""

import os
from pathlib import Path

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 4


def on_starting(server):
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
