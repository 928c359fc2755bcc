from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.domain import refused
from app.core.forms import db_int
from app.core.rendering import done, render
from app.coverage import targets
from app.coverage.forms import TargetForm
from app.coverage.targets import TargetInput

bp = Blueprint("targets", __name__, url_prefix="/coverage/targets")


def _place_and_year():
    """The place (``?area=``, else the user's own) and year (``?year=``, else this one) asked for."""
    area_id = request.args.get("area", type=db_int)
    place = targets.place_of(current_user, area_id) if area_id else targets.start_place(current_user)
    if place is None:
        abort(404)
    years = targets.year_choices()
    year = request.args.get("year", type=int)
    if year is None:
        year = years[targets.YEARS_BACK]
    if year not in years:
        abort(400, description=_("Choose a year from %(first)s to %(last)s.", first=years[0], last=years[-1]))
    return place, year


def _form(form: TargetForm | None = None, **data) -> TargetForm:
    form = form or TargetForm(formdata=None, data=data)
    form.year.choices = [(y, str(y)) for y in targets.year_choices()]
    form.key.choices = targets.key_choices()
    return form


def _page(place, year: int, form: TargetForm, *, http_status: int = 200):
    places = targets.places_under(place)
    up = targets.listing_place(current_user, place)
    return render("targets/index.html", "targets/_form.html", http_status=http_status, place=place, year=year,
                  years=targets.year_choices(), places=places, progress=targets.progress_of(places, year),
                  form=form, parent=up if up.id != place.id else None)


@bp.get("/")
def index():
    """A place's targets for a year and how far each has come, with the form to set one."""
    place, year = _place_and_year()
    default_area = place.id if targets.may_keep(current_user, place) else None
    return _page(place, year, _form(area_id=default_area, year=year))


@bp.post("/")
def save():
    """Set a target, or change the households of the one already set for that place, year and help."""
    place, year = _place_and_year()
    form = _form(TargetForm())
    if not form.validate():
        return _page(place, year, form, http_status=400)
    with refused(form) as refusal:
        target = targets.set_target(current_user, TargetInput(form.area_id.data, form.year.data, form.key.data,
                                                              form.households.data))
    if refusal:
        return _page(place, year, form, http_status=refusal.status)
    flash(_("Target saved."), "success")
    return done(url_for("targets.index", area=place.id, year=target.year))


@bp.get("/<int:target_id>/edit")
def edit(target_id: int):
    """The form with one target's place, year and help filled in, to change its households."""
    target = targets.get_target(current_user, target_id)
    if target is None:
        abort(404)
    place = targets.listing_place(current_user, target.area)
    form = _form(area_id=target.area_id, year=target.year, key=target.key, households=target.households)
    return render("targets/edit.html", "targets/_form.html", place=place, year=target.year, target=target,
                  key_label=targets.key_label(target.key, targets.active_services()), places=[target.area], form=form)


@bp.post("/<int:target_id>/delete")
def delete(target_id: int):
    """Remove a target."""
    target = targets.get_target(current_user, target_id)
    if target is None:
        abort(404)
    area, year = target.area, target.year
    with refused(abort_on_refusal=True):
        targets.delete_target(current_user, target)
    flash(_("Target deleted."), "success")
    return redirect(url_for("targets.index", area=targets.listing_place(current_user, area).id, year=year), 303)
