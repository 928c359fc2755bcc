from pathlib import Path

import click
from flask import Blueprint, current_app

from app.extensions import db
from app.ops.backup import BackupError, backup, default_name, restore

bp = Blueprint("ops_cli", __name__, cli_group=None)


@bp.cli.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write (default: instance/backups/gocua-<UTC time>.sqlite or .dump).")
def backup_command(output: Path | None):
    """Back up the database while the app runs (SQLite online backup, or pg_dump -Fc), with its
    fingerprint beside it (<file>.json)."""
    target = output or default_name(db.engine, Path(current_app.instance_path) / "backups")
    try:
        found = backup(db.engine, target)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {target} ({target.stat().st_size:,} bytes), fingerprint in {target.name}.json")
    click.echo(f"{sum(found.tables.values()):,} rows in {len(found.tables)} tables; "
               f"help logs: {found.tables.get('help_logs', 0):,}, checksum {found.help_logs_sha256[:16]}…")


@bp.cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source: Path):
    """Restore a backup into DATABASE_URL (a new, empty database) and check it against the
    fingerprint written with the backup; exit 1 if anything differs."""
    try:
        restored, differences = restore(db.engine, source)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {sum(restored.tables.values()):,} rows in {len(restored.tables)} tables; "
               f"help logs: {restored.tables.get('help_logs', 0):,}, checksum {restored.help_logs_sha256[:16]}…")
    if differences:
        for line in differences:
            click.echo(f"  differs: {line}", err=True)
        raise SystemExit(1)
    click.echo("Every table's row count and the help logs' checksum match the backup.")
