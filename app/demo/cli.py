import click
from flask import Blueprint

from app.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, database_is_empty, seed_demo

bp = Blueprint("demo_cli", __name__, cli_group=None)


@bp.cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing unless the database has no users.")
def seed_demo_command(if_empty: bool):
    """Load the demo data (idempotent) and print the demo accounts."""
    if if_empty and not database_is_empty():
        click.echo("Database already has data; demo data not loaded.")
        return
    counts = seed_demo()
    click.echo("Demo data: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for username, name, role, _ in DEMO_ACCOUNTS:
        click.echo(f"  {username:<10} {role:<10} {name}")
