import click
from flask import Blueprint
from flask_babel import force_locale
from sqlalchemy import select

from app.accounts.models import Role
from app.accounts.services import AccountError, create_user
from app.areas.models import Area
from app.extensions import db

bp = Blueprint("accounts_cli", __name__, cli_group=None)


@bp.cli.command("create-user")
@click.option("--username", prompt=True)
@click.option("--full-name", prompt=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), prompt=True)
@click.option("--area-code", default="", help="National code of the home area (e.g. 42).")
@click.option("--phone", default="")
def create_user_command(username, full_name, role, area_code, phone):
    """Create an account; the password is asked for, never taken on the command line."""
    area = None
    if area_code:
        area = db.session.scalar(select(Area).where(Area.code == area_code))
        if area is None:
            raise click.BadParameter(f"no area with code {area_code}", param_hint="--area-code")
    password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(None, username=username, full_name=full_name, password=password,
                           role=Role(role), home_area=area, phone=phone or None)
    except AccountError as error:
        db.session.rollback()
        with force_locale("en"):
            raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.role} {user.username}.")
