from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.access import find, get_or_404
from app.areas.models import Area, AreaKind
from app.core.db import utcnow
from app.core.domain import refused
from app.core.forms import db_int
from app.core.rendering import done, render
from app.households import services
from app.households.consent import CONSENT_TEXT_VI, CONSENT_VERSION
from app.households.forms import EditHouseholdForm, NewHouseholdForm
from app.households.models import ConsentMethod, Household
from app.households.queries import movable_to, search_households
from app.households.services import Consent, HouseholdData

bp = Blueprint("households", __name__)


def _data(form) -> HouseholdData:
    return HouseholdData(
        display_name=form.display_name.data or "", phone=form.phone.data, is_farm=form.is_farm.data,
        is_business=form.is_business.data, member_count=form.member_count.data, notes=form.notes.data,
    )


@bp.get("/areas/<int:area_id>/households")
def index(area_id: int):
    """A village's (or a commune's) households, with live accent-insensitive search."""
    area = get_or_404(current_user, Area, area_id)
    if area.kind not in (AreaKind.VILLAGE, AreaKind.COMMUNE):
        abort(404)
    q = request.args.get("q", "")[:100]
    farm, business = request.args.get("farm") == "1", request.args.get("business") == "1"
    page = request.args.get("page", 1, type=db_int)
    results = search_households(current_user, area, q=q, farm=farm, business=business, page=max(page, 1))
    return render(
        "households/index.html", "households/_results.html",
        area=area, results=results, q=q, farm=farm, business=business,
        phone_villages=services.villages_with_phones(current_user), can_add=services.may_add_in(current_user, area),
    )


@bp.get("/households/<int:household_id>")
def show(household_id: int):
    """One household: details, consent record and (later) the help it received."""
    household = get_or_404(current_user, Household, household_id)
    return render("households/show.html", household=household,
                  phone_visible=household.village_id in services.villages_with_phones(current_user))


def _new_page(village, form, duplicates=None, http_status=200):
    return render("households/new.html", "households/_new_form.html", http_status=http_status,
                  village=village, form=form, duplicates=duplicates,
                  consent_text=CONSENT_TEXT_VI, consent_version=CONSENT_VERSION, now=utcnow())


def _village_for_adding(village_id: int) -> Area:
    village = get_or_404(current_user, Area, village_id)
    if not services.may_add_in(current_user, village):
        abort(404)
    return village


@bp.get("/areas/<int:village_id>/households/new")
def new(village_id: int):
    """Step one of adding a household: its details."""
    return _new_page(_village_for_adding(village_id), NewHouseholdForm())


@bp.post("/areas/<int:village_id>/households/new")
def create(village_id: int):
    """Details → consent → (likely duplicates) → saved, each step re-rendering the form."""
    village = _village_for_adding(village_id)
    form = NewHouseholdForm()
    shown_at = form.step.data
    if request.form.get("back") or shown_at not in ("details", "consent", "confirm"):
        form.step.data = "details"
        return _new_page(village, form)
    if not form.validate_fields(form.DETAIL_FIELDS):
        form.step.data = "details"
        return _new_page(village, form, http_status=400)
    if shown_at == "details":
        form.step.data = "consent"
        return _new_page(village, form)
    if not form.validate_fields(form.CONSENT_FIELDS):
        form.step.data = "consent"
        return _new_page(village, form, http_status=400)
    if shown_at == "consent":
        duplicates = services.find_duplicates(current_user, village, form.display_name.data, form.phone.data)
        if duplicates:
            form.step.data = "confirm"
            return _new_page(village, form, duplicates=duplicates)
    consent = Consent(method=ConsentMethod(form.consent_method.data), witness=form.consent_witness.data)
    with refused(form) as refusal:
        household = services.create_household(current_user, village, _data(form), consent)
    if refusal:
        form.step.data = "consent" if refusal.error.field in form.CONSENT_FIELDS else "details"
        return _new_page(village, form, http_status=refusal.status)
    flash(_("Household saved."), "success")
    return done(url_for("households.show", household_id=household.id))


def _edit_page(household, form, http_status=200):
    villages = movable_to(current_user)
    if household.village not in villages:
        villages = [household.village, *villages]
    form.village_id.choices = [
        SelectChoice(v.id, v.label) for v in villages
    ]
    return render("households/edit.html", "households/_edit_form.html", http_status=http_status,
                  household=household, form=form)


@bp.get("/households/<int:household_id>/edit")
def edit(household_id: int):
    """Edit a household's details or move it to another of the team's villages."""
    household = get_or_404(current_user, Household, household_id)
    if household.anonymised_at:
        abort(404)
    form = EditHouseholdForm(obj=household)
    return _edit_page(household, form)


@bp.post("/households/<int:household_id>/edit")
def update(household_id: int):
    """Save the edited details."""
    household = get_or_404(current_user, Household, household_id)
    form = EditHouseholdForm()
    if not form.validate_fields((*form.DETAIL_FIELDS, "village_id")):
        return _edit_page(household, form, http_status=400)
    with refused(form) as refusal:
        services.update_household(current_user, household, _data(form), find(current_user, Area, form.village_id.data))
    if refusal:
        return _edit_page(household, form, http_status=refusal.status)
    flash(_("Changes saved."), "success")
    return done(url_for("households.show", household_id=household.id))


@bp.post("/households/<int:household_id>/anonymise")
def anonymise(household_id: int):
    """Erase a household's name and phone at the resident's request (administrators)."""
    household = get_or_404(current_user, Household, household_id)
    with refused(abort_on_refusal=True):
        services.anonymise_household(current_user, household)
    flash(_("The household's name, phone and notes were erased. Its records still count."), "success")
    return redirect(url_for("households.index", area_id=household.village_id), 303)
