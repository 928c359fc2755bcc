"""bench/coverage.py's measuring code on a tiny seed-bench copy, so that it cannot rot: every
figure comes out, every page answers, and the writes it times leave the data and the summaries
as they were."""

import re

import pytest
from sqlalchemy import select

from app.core import changes
from app.coverage import summaries
from app.demo.bench import seed_bench
from app.helplogs.models import HelpLog, LogStatus
from bench import coverage as coverage_bench

pytestmark = pytest.mark.slow  # builds the 69 communes, their villages and a few thousand logs

LINE = re.compile(r"^BENCH (\S+) (-?\d+(?:\.\d+)?) (\S+)$")


def statuses(db) -> dict[int, str]:
    return dict(db.session.execute(select(HelpLog.id, HelpLog.status)).all())


def test_every_figure_comes_out_and_the_data_is_left_as_it_was(app, db, capsys):
    seed_bench(0.005)
    before = statuses(db)
    capsys.readouterr()

    coverage_bench.measure(app, "tiny", requests=1, warm_up=0, naive_runs=1, rounds=1, export_rows=(300, 600))

    out = capsys.readouterr().out.splitlines()
    figures = {}
    for line in out:
        if line.startswith("BENCH"):
            name, value, unit = LINE.match(line).groups()
            figures[name] = (float(value), unit)
    with app.app_context():
        places = coverage_bench.find_places()
    pages = [(user, level, variant) for user, level, _ in coverage_bench.cases(places)
             for variant, _ in coverage_bench.variants(places, matrix=level != "village")]
    assert len(pages) == 23  # 5 pages, 4 filters each, and the matrix tab above the village
    for user, level, variant in pages:
        name = f"coverage_{user}_{level}_{variant}"
        assert figures[f"{name}_p50_tiny"][1] == figures[f"{name}_cpu_p50_tiny"][1] == "ms"
        assert 0 < figures[f"{name}_statements_tiny"][0] <= 30
    for what in ("table", "matrix"):
        assert figures[f"coverage_naive_{what}_tiny"][0] > 0
        assert figures[f"coverage_speedup_{what}_tiny"][1] == "x"
    for what in ("bulk_approve_100", "submit_leader"):
        for side in ("with_summaries", "without_summaries", "summaries_cost"):
            assert f"coverage_writer_{what}_{side}_tiny" in figures
    assert 300 <= figures["coverage_export_300_rows_tiny"][0] < figures["coverage_export_600_rows_tiny"][0]
    assert figures["coverage_export_600_peak_python_alloc_tiny"][1] == "MiB"

    # The writes were undone, the summaries with them, and the watcher is back. Only the
    # leader's backlog may have been topped up to 100, for the bulk approvals.
    db.session.expire_all()
    after = statuses(db)
    assert after.keys() == before.keys()
    changed = {log_id for log_id in after if after[log_id] != before[log_id]}
    assert len(changed) <= 100
    assert all((before[i], after[i]) == (LogStatus.APPROVED, LogStatus.SUBMITTED) for i in changed)
    assert summaries.drift() == {}
    assert "coverage" in changes._watchers
