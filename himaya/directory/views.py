"""Pages of the directory: institutions (list, page with history, edit, create), the service
catalogue, suggestions for a need, the provincial diagnostic (page and PDF), the map.

Thin: parse with a form, call a selector or a service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from himaya.accounts.access import access
from himaya.accounts.permissions import Perm, granting, has_perm, memberships
from himaya.core.models import Province
from himaya.directory import diagnostic as diag
from himaya.directory import forms, selectors, services

PAGE_LIMIT = 300
MAP_LIMIT = 2000


def _apply_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _default_province(user) -> str:
    for m in memberships(user):
        if m.scope_province_id:
            return m.scope_province_id
    return ""


@require_GET
@access(Perm.DIRECTORY_VIEW)
def institution_list(request):
    form = forms.DirectoryFilterForm(request.GET or None)
    rows = selectors.institutions_visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        rows = selectors.institutions_filter(
            rows, province=data["province"].strip(), type=data["type"], service=data["service"],
            has_capacity=data["has_capacity"],
        )  # fmt: skip
    else:
        rows = rows.filter(active=True)
    institutions = list(rows.order_by("province_id", "code")[:PAGE_LIMIT])
    return render(
        request,
        "directory/institution_list.html",
        {
            "form": form,
            "institutions": institutions,
            "limit": PAGE_LIMIT,
            "can_create": has_perm(request.user, Perm.ORG_MANAGE),
        },
    )


def _edit_form_class(user):
    return (
        forms.InstitutionAdminForm if has_perm(user, Perm.ORG_MANAGE) else forms.InstitutionOwnForm
    )


@require_GET
@access(Perm.DIRECTORY_VIEW)
def institution_detail(request, institution_id):
    institution = selectors.institution_get(request.user, institution_id)
    return _render_detail(request, institution)


def _render_detail(request, institution, form=None, status=200):
    may_edit = services.may_maintain(request.user, institution)
    if may_edit and form is None:
        form_class = _edit_form_class(request.user)
        form = form_class(initial=form_class.initial_for(institution))
    return render(
        request,
        "directory/institution_detail.html",
        {
            "institution": institution,
            "history": selectors.institution_history(institution),
            "form": form if may_edit else None,
        },
        status=status,
    )


@require_POST
@access(Perm.DIRECTORY_VIEW)
def institution_edit(request, institution_id):
    institution = selectors.institution_get(request.user, institution_id)
    if not services.may_maintain(request.user, institution):
        raise PermissionDenied
    form = _edit_form_class(request.user)(request.POST)
    if form.is_valid():
        values = dict(form.cleaned_data)
        version, reason = values.pop("version"), values.pop("reason")
        try:
            services.institution_update(
                actor=request.user, institution_id=institution.pk, version=version, reason=reason,
                request=request, **values,
            )  # fmt: skip
        except ValidationError as error:
            _apply_errors(form, error)
        except services.StaleVersion:
            form.add_error(None, _("Someone else changed this institution; reload the page."))
        else:
            messages.success(request, _("The institution was updated."))
            return redirect("directory:detail", institution_id=institution.pk)
    return _render_detail(request, institution, form=form, status=400)


@require_http_methods(["GET", "POST"])
@access(Perm.ORG_MANAGE)
def institution_create(request):
    form = forms.InstitutionCreateForm(
        request.POST or None, initial={"age_min": 0, "age_max": 17, "occupancy": 0}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            values = dict(form.cleaned_data)
            values.pop("version", None)
            values.pop("reason", None)
            code = values.pop("code")
            try:
                institution = services.institution_create(
                    actor=request.user, code=code, request=request, **values
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The institution was added to the directory."))
                return redirect("directory:detail", institution_id=institution.pk)
    return render(request, "directory/institution_create.html", {"form": form}, status=status)


@require_GET
@access(Perm.DIRECTORY_VIEW)
def service_catalogue(request):
    catalogue = selectors.services_catalogue()
    from himaya.directory.catalogue import stage_labels

    language = (get_language() or "ar")[:2]
    stages = [
        {
            "number": number,
            "label": labels.get(language, labels["fr"]),
            "services": [s for s in catalogue if number in s.stages],
        }
        for number, labels in sorted(stage_labels().items())
    ]
    return render(request, "directory/services.html", {"catalogue": catalogue, "stages": stages})


@require_GET
@access(Perm.DIRECTORY_VIEW)
def suggest(request):
    initial = {"province": _default_province(request.user)}
    form = forms.SuggestForm(request.GET or None, initial=initial)
    found, origin, status = None, None, 200
    if request.GET:
        if form.is_valid():
            data = form.cleaned_data
            province = Province.objects.filter(pk=data["province"].strip()).first()
            if province is None:
                form.add_error("province", _("Unknown territory code."))
                status = 400
            else:
                origin = (
                    (data["latitude"], data["longitude"])
                    if data["latitude"] is not None
                    else selectors.origin_of(request.user, province)
                )
                found = selectors.suggest_institutions(
                    service=data["service"], province=province, origin=origin, age=data["age"],
                    sex=data["sex"],
                )  # fmt: skip
        else:
            status = 400
    return render(
        request,
        "directory/suggest.html",
        {"form": form, "found": found, "origin": origin},
        status=status,
    )


def _diagnostic_context(request):
    code = request.GET.get("province", "").strip() or _diagnostic_default(request.user)
    province = diag.diagnostic_province_for(request.user, code)
    diagnostic = diag.build_diagnostic(province)
    return {
        "d": diagnostic,
        "suppress": diag.suppressed_for(request.user),
        "generated_at": timezone.localtime(),
        "generated_by": request.user.display_name,
    }


def _diagnostic_default(user) -> str:
    for m in granting(user, Perm.AGGREGATES_VIEW):
        if m.scope_province_id:
            return m.scope_province_id
    return "04.441"


@require_GET
@access(Perm.AGGREGATES_VIEW)
def diagnostic_page(request):
    context = _diagnostic_context(request)
    from himaya.audit.services import audit_record

    audit_record(
        actor=request.user, action="diagnostic.read", target_type="province",
        target_id=context["d"].province.code, request=request,
    )  # fmt: skip
    return render(request, "directory/diagnostic.html", context)


@require_GET
@access(Perm.AGGREGATES_VIEW)
def diagnostic_pdf(request):
    import weasyprint
    from django.template.loader import render_to_string

    context = _diagnostic_context(request)
    language = (get_language() or "ar")[:2]
    context.update(language=language, direction="rtl" if language == "ar" else "ltr")
    html = render_to_string("directory/pdf/diagnostic.html", context, request=None)
    pdf = weasyprint.HTML(
        string=html, url_fetcher=weasyprint.URLFetcher(allowed_protocols={"file"})
    ).write_pdf()
    from himaya.audit.services import audit_record

    audit_record(
        actor=request.user, action="diagnostic.export", target_type="province",
        target_id=context["d"].province.code, request=request,
    )  # fmt: skip
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="diagnostic-{context["d"].province.code}.pdf"'
    )
    return response


@require_GET
@access(Perm.DIRECTORY_VIEW)
def institution_map(request):
    """Institutions as markers over the outline of Morocco, drawn from files installed by the
    setup (Leaflet and Natural Earth's outline from npm): no tiles, no internet. Below the
    map, the same institutions as a list ordered by distance from the user's own service."""
    form = forms.DirectoryFilterForm(request.GET or None)
    rows = selectors.institutions_visible_to(request.user).filter(
        active=True, latitude__isnull=False
    )
    province_code = _default_province(request.user)
    if form.is_valid():
        data = form.cleaned_data
        rows = selectors.institutions_filter(
            rows, province=data["province"].strip(), type=data["type"], service=data["service"],
            has_capacity=data["has_capacity"],
        )  # fmt: skip
        province_code = data["province"].strip() or province_code
    institutions = list(rows.order_by("code")[:MAP_LIMIT])
    province = Province.objects.filter(pk=province_code).first()
    origin = selectors.origin_of(request.user, province) if province else None
    listed = sorted(
        (
            (
                selectors.haversine_km(origin[0], origin[1], i.latitude, i.longitude)
                if origin
                else None,
                i,
            )
            for i in institutions
        ),
        key=lambda pair: (pair[0] is None, pair[0] or 0, pair[1].code),
    )
    from himaya.core import codes

    markers = [
        {
            "id": str(i.pk),
            "name": i.name,
            "type": codes.label("org_type", i.type),
            "lat": i.latitude,
            "lon": i.longitude,
            "free": i.free_places,
            "capacity": i.capacity,
            "url": f"/directory/{i.pk}/",
        }
        for i in institutions
    ]
    return render(
        request,
        "directory/map.html",
        {"form": form, "markers": markers, "listed": listed[:300], "origin": origin},
    )
