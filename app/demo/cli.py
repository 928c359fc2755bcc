import click
from flask import Blueprint

from app.demo.bench import BENCH_PASSWORD, BenchRefused, seed_bench
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


@bp.cli.command("seed-bench")
@click.option("--scale", type=click.FloatRange(0.001, 2.0), default=1.0, show_default=True,
              help="1.0 is the whole province (~450,000 households); 0.01 a tiny copy for tests.")
@click.option("--force", is_flag=True, help="Add a batch even though households exist.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed: same seed, same data.")
def seed_bench_command(scale: float, force: bool, seed: int):
    """Synthetic province-scale data for benchmarks, inserted in bulk."""
    try:
        counts = seed_bench(scale, force=force, seed=seed)
    except BenchRefused:
        raise click.ClickException(
            "This database already has households: seed-bench is for an empty benchmark database. "
            "Use --force to add a synthetic batch anyway."
        ) from None
    seconds = counts.pop("seconds")
    click.echo("Bench data: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
    click.echo(f"Took {seconds:.1f} s. Every bench account's password: {BENCH_PASSWORD}")
