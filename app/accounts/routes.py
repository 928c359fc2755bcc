"""Administrators manage accounts: list, create, edit, deactivate, reset a password."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.access import get_or_404
from app.accounts import services
from app.accounts.forms import NewUserForm, UserFilterForm, UserForm
from app.accounts.models import ROLE_ORDER, Role, User
from app.accounts.queries import assignable_areas, user_list
from app.accounts.rules import assignable_roles, out_of_reach, within_reach
from app.areas.models import Area
from app.core.domain import refused
from app.core.forms import db_int
from app.core.rendering import render

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


def _with_choices(form, user: User | None = None):
    form.role.choices = [SelectChoice(str(role), role.label) for role in assignable_roles(current_user)]
    form.areas = assignable_areas(current_user, user.home_area if user else None)
    choices = [SelectChoice(area.id, area.label) for area in form.areas]
    if within_reach(current_user, None):
        choices.insert(0, SelectChoice("", _("— No home area —")))
    form.home_area.choices = choices
    return form


def _chosen_area(form) -> Area | None:
    """The area picked among the form's choices; AccountError for any other id."""
    if form.home_area.data is None:
        return None
    area = next((a for a in form.areas if a.id == form.home_area.data), None)
    if area is None:
        raise out_of_reach(current_user)
    return area


def _local_phone(phone: str | None) -> str:
    return "0" + phone[3:] if phone and phone.startswith("+84") else (phone or "")


def _show_page(user: User, form: UserForm, status: int = 200):
    return render("accounts/show.html", user=user, form=form, http_status=status)


def _temporary_password_page(user: User, password: str, created: bool):
    response = render("accounts/temporary_password.html", user=user, password=password, created=created)
    response.headers["Cache-Control"] = "no-store"  # shown once: never from a cache
    return response


@bp.get("/")
def index():
    """Accounts in the administrator's area: search by name or username, filter by role."""
    form = UserFilterForm(request.args)
    form.role.choices = [SelectChoice("", _("All roles")),
                         *Role.choices(ROLE_ORDER)]
    if not form.validate():
        return render("accounts/index.html", "accounts/_results.html", form=form, users=None, http_status=400)
    users = user_list(current_user, q=form.q.data, role=form.role.data,
                      page=request.args.get("page", 1, type=db_int))
    return render("accounts/index.html", "accounts/_results.html", form=form, users=users)


@bp.get("/new")
def new():
    """The form for a new account."""
    return render("accounts/new.html", form=_with_choices(NewUserForm()))


@bp.post("/new")
def create():
    """Create an account; its temporary password is shown once."""
    form = _with_choices(NewUserForm())
    if not form.validate():
        return render("accounts/new.html", form=form, http_status=400)
    with refused(form) as refusal:
        user, password = services.create_account(
            current_user, username=form.username.data, full_name=form.full_name.data,
            role=form.role.data, home_area=_chosen_area(form), phone=form.phone.data,
        )
    if refusal:
        return render("accounts/new.html", form=form, http_status=refusal.status)
    return _temporary_password_page(user, password, created=True)


@bp.get("/<int:user_id>")
def show(user_id: int):
    """One account: its details to edit, and the actions on it."""
    user = get_or_404(current_user, User, user_id, "manage")
    return _show_page(user, _edit_form(user))


@bp.post("/<int:user_id>")
def update(user_id: int):
    """Save the name, role, home area and phone."""
    user = get_or_404(current_user, User, user_id, "manage")
    form = _with_choices(UserForm(), user)
    if not form.validate():
        return _show_page(user, form, 400)
    with refused(form) as refusal:
        changes = services.update_account(current_user, user, full_name=form.full_name.data, role=form.role.data,
                                 home_area=_chosen_area(form), phone=form.phone.data)
    if refusal:
        return _show_page(user, form, refusal.status)
    flash(_("Saved.") if changes else _("Nothing changed."), "success")
    return redirect(url_for("accounts.show", user_id=user.id))


def _edit_form(user: User) -> UserForm:
    form = UserForm(formdata=None, data={"full_name": user.full_name, "role": user.role,
                                         "home_area": user.home_area_id, "phone": _local_phone(user.phone)})
    return _with_choices(form, user)


def _account_action(user_id: int, action, done_message: str):
    """Run ``action`` on the account; a refusal shows the account page with the reason at the top."""
    user = get_or_404(current_user, User, user_id, "manage")
    form = _edit_form(user)
    with refused(form) as refusal:
        action(current_user, user)
    if refusal:
        return _show_page(user, form, refusal.status)
    flash(done_message, "success")
    return redirect(url_for("accounts.show", user_id=user.id))


@bp.post("/<int:user_id>/deactivate")
def deactivate(user_id: int):
    """Deactivate an account: it can no longer sign in, its open sessions end."""
    return _account_action(user_id, services.deactivate_account, _("The account is deactivated."))


@bp.post("/<int:user_id>/reactivate")
def reactivate(user_id: int):
    """Let a deactivated account sign in again."""
    return _account_action(user_id, services.reactivate_account, _("The account is active again."))


@bp.post("/<int:user_id>/reset-password")
def reset_password(user_id: int):
    """Give the user a temporary password, shown once; they choose their own at next sign-in."""
    user = get_or_404(current_user, User, user_id, "manage")
    form = _edit_form(user)
    with refused(form) as refusal:
        password = services.reset_password(current_user, user)
    if refusal:
        return _show_page(user, form, refusal.status)
    return _temporary_password_page(user, password, created=False)
