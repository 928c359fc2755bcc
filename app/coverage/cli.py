import click
from flask import Blueprint

from app.coverage import summaries
from app.extensions import db

bp = Blueprint("coverage_cli", __name__, cli_group="coverage")


@bp.cli.command("rebuild")
def rebuild_command():
    """Recompute every coverage summary from the logs and households."""
    counts = summaries.rebuild()
    db.session.commit()
    summaries.analyse()
    click.echo("Coverage summaries rebuilt: " + ", ".join(f"{n:,} rows in {table}" for table, n in counts.items()))


@bp.cli.command("check")
def check_command():
    """Compare the stored summaries with a recomputation; exit 1 and list the drift if they differ."""
    drift = summaries.drift()
    if not drift:
        click.echo("Coverage summaries agree with the logs and households.")
        return
    for table, rows in drift.items():
        click.echo(f"{table}: {len(rows)} differing rows (first ones shown)")
        for row in rows:
            click.echo(f"  {row}")
    raise SystemExit(1)
