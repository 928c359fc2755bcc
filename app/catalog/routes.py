from flask import Blueprint, abort, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.catalog import services
from app.catalog.forms import ServiceForm
from app.catalog.services import ServiceNames
from app.core.domain import refused
from app.core.rendering import done, render

bp = Blueprint("services", __name__, url_prefix="/services")


@bp.get("/")
def index():
    """The kinds of help, with the short names lists show and the full names."""
    return render("services/index.html", services=services.all_services())


def _service(service_id: int):
    service = services.get_service(service_id)
    if service is None:
        abort(404)
    return service


def _form_page(form: ServiceForm, service, *, http_status: int = 200):
    return render("services/edit.html", "services/_form.html", http_status=http_status, form=form, service=service)


@bp.get("/<int:service_id>/edit")
def edit(service_id: int):
    """The form for a kind of help's names."""
    service = _service(service_id)
    return _form_page(ServiceForm(obj=service), service)


@bp.post("/<int:service_id>/edit")
def update(service_id: int):
    """Save the names, or show the form again with what is wrong."""
    service = _service(service_id)
    form = ServiceForm()
    if not form.validate():
        return _form_page(form, service, http_status=400)
    with refused(form) as refusal:
        services.rename_service(current_user, service, ServiceNames(*(
            field.data or "" for field in (form.name_vi, form.name_en, form.short_name_vi, form.short_name_en))))
    if refusal:
        return _form_page(form, service, http_status=refusal.status)
    flash(_("Changes saved."), "success")
    return done(url_for("services.index"))
