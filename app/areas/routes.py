from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import get_or_404, manages_places
from app.areas import services
from app.areas.forms import VillageForm
from app.areas.models import Area, AreaKind
from app.areas.queries import search_areas
from app.areas.services import VillageData
from app.core.domain import refused
from app.core.forms import db_int
from app.core.offline import offline_shell
from app.core.rendering import done, render
from app.coverage.areas import area_page

bp = Blueprint("areas", __name__, url_prefix="/areas")


@bp.get("/<int:area_id>")
@offline_shell
def show(area_id: int):
    """A place: where it sits, what lies under it, the teams that work there."""
    area = get_or_404(current_user, Area, area_id)
    return render("areas/show.html", **area_page(current_user, area))


@bp.get("/search")
def search():
    """Accent-insensitive search over the areas the user may see, old names included."""
    q = request.args.get("q", "")[:100]
    within_id = request.args.get("within", type=db_int)
    within = get_or_404(current_user, Area, within_id) if within_id else None
    page = max(request.args.get("page", 1, type=db_int), 1)
    results = search_areas(current_user, q, within=within, page=page)
    return render("areas/search.html", "areas/_search_results.html", q=q, within=within, results=results)


def _kept(area_id: int, kind: AreaKind) -> Area:
    """An area of ``kind`` the user keeps; a 404 for anything else, as if it did not exist."""
    area = get_or_404(current_user, Area, area_id)
    if area.kind != kind or not manages_places(current_user, area):
        abort(404)
    return area


def _data(form: VillageForm) -> VillageData:
    return VillageData(form.name.data or "", form.former_commune.data, form.declared_households.data)


def _form_page(form: VillageForm, *, commune: Area, village: Area | None = None, http_status: int = 200):
    return render("areas/village_form.html", "areas/_village_form.html", http_status=http_status,
                  form=form, commune=commune, village=village)


@bp.get("/<int:commune_id>/villages/new")
def new_village(commune_id: int):
    """The form for adding a village to a commune."""
    return _form_page(VillageForm(), commune=_kept(commune_id, AreaKind.COMMUNE))


@bp.post("/<int:commune_id>/villages/new")
def create_village(commune_id: int):
    """Add the village, or show the form again with what is wrong."""
    commune = _kept(commune_id, AreaKind.COMMUNE)
    form = VillageForm()
    if not form.validate():
        return _form_page(form, commune=commune, http_status=400)
    with refused(form) as refusal:
        village = services.add_village(current_user, commune, _data(form))
    if refusal:
        return _form_page(form, commune=commune, http_status=refusal.status)
    flash(_("Village added."), "success")
    return done(url_for("areas.show", area_id=village.id))


@bp.get("/<int:area_id>/edit")
def edit(area_id: int):
    """Rename a village, or correct its former commune and declared household count."""
    village = _kept(area_id, AreaKind.VILLAGE)
    return _form_page(VillageForm(obj=village), commune=village.parent, village=village)


@bp.post("/<int:area_id>/edit")
def update(area_id: int):
    """Save the village's new details; an old name stays findable."""
    village = _kept(area_id, AreaKind.VILLAGE)
    form = VillageForm()
    if not form.validate():
        return _form_page(form, commune=village.parent, village=village, http_status=400)
    with refused(form) as refusal:
        services.update_village(current_user, village, _data(form))
    if refusal:
        return _form_page(form, commune=village.parent, village=village, http_status=refusal.status)
    flash(_("Changes saved."), "success")
    return done(url_for("areas.show", area_id=village.id))


@bp.post("/<int:area_id>/deactivate")
def deactivate(area_id: int):
    """Hide a village from pickers; it keeps its households and counts."""
    village = services.set_village_active(current_user, _kept(area_id, AreaKind.VILLAGE), False)
    flash(_("The village was deactivated. Its households and records are kept."), "success")
    return redirect(url_for("areas.show", area_id=village.id), 303)


@bp.post("/<int:area_id>/reactivate")
def reactivate(area_id: int):
    """Bring a deactivated village back."""
    village = services.set_village_active(current_user, _kept(area_id, AreaKind.VILLAGE), True)
    flash(_("The village is active again."), "success")
    return redirect(url_for("areas.show", area_id=village.id), 303)
