"""Pages of the indicators: dashboards (national, regional, provincial), the CAPE workload
page, the delays report, exports with their progress, and the programme records.

Dashboards read the aggregate tables only (through `dashboards`/`selectors`); bad filters
answer 400 with the message on the page, a territory outside the reader's scope 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from himaya.accounts.access import access
from himaya.accounts.permissions import Perm
from himaya.indicators import dashboards, selectors, services
from himaya.indicators.forms import ExportForm, ProgrammeRecordForm
from himaya.indicators.models import ExportJob, ProgrammeRecord
from himaya.indicators.periods import TZ, Period


def _filters(request, *, default_period: str) -> tuple[Period, str]:
    period = selectors.resolve_period(request.GET.get("period") or default_period)
    territory = selectors.resolve_territory(
        request.user,
        province=request.GET.get("province", ""),
        region=request.GET.get("region", ""),
    )
    return period, territory


def _bad_filter(request, template: str, exc: selectors.QueryError):
    """Bad input is a 400 with its message; a valid period not computed yet is said so (200),
    never shown as a table of zeros."""
    status = 200 if isinstance(exc, selectors.NotComputed) else 400
    context = {"error": exc.message, "field": exc.field, **_echo(request)}
    return render(request, template, context, status=status)


def _echo(request) -> dict:
    """The filters as typed, to show them back in the form."""
    return {f"{name}_text": request.GET.get(name, "") for name in ("period", "province", "region")}


@require_GET
@access(Perm.AGGREGATES_VIEW)
def dashboard(request):
    this_year = str(timezone.now().astimezone(TZ).year)
    try:
        period, territory = _filters(request, default_period=this_year)
        context = dashboards.dashboard(request.user, period, territory)
    except selectors.QueryError as exc:
        return _bad_filter(request, "indicators/dashboard.html", exc)
    context.update(
        period=period,
        territory=territory,
        territory_name=selectors.territory_name(territory),
        groups=dashboards.GROUPS,
        inner=dashboards.inner_territories(territory),
        suppressed=selectors.aggregate_only(request.user),
        **{**_echo(request), "period_text": period.key},
    )
    return render(request, "indicators/dashboard.html", context)


@require_GET
@access(Perm.AGGREGATES_VIEW)
def delays(request):
    this_year = str(timezone.now().astimezone(TZ).year)
    try:
        period, territory = _filters(request, default_period=this_year)
        if period.kind != "year":
            raise selectors.QueryError("period", _("The delays report is by year."))
        context = dashboards.delays(request.user, period.year, territory)
    except selectors.QueryError as exc:
        return _bad_filter(request, "indicators/delays.html", exc)
    context.update(
        period=period, territory=territory, territory_name=selectors.territory_name(territory)
    )
    return render(request, "indicators/delays.html", context)


@require_GET
@access(Perm.AGGREGATES_VIEW)
def cape(request):
    """Caseload per worker and overdue work by level for the supervisor's organisation: case
    records, so never for aggregate-only roles."""
    if selectors.aggregate_only(request.user):
        raise PermissionDenied
    return render(request, "indicators/cape.html", selectors.cape_workload(request.user))


@require_http_methods(["GET", "POST"])
@access(Perm.AGGREGATES_VIEW)
def export(request):
    form = ExportForm(request.POST or None, initial={"period": str(timezone.now().year - 1)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = services.export_job_create(
                    actor=request.user, fmt=data["fmt"], params=data,
                    purpose=data["purpose"], request=request,
                )  # fmt: skip
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return redirect("indicators:export_job", job_id=job.id)
        status = 400
    jobs = (
        ExportJob.objects.filter(requested_by=request.user)
        .defer("content")
        .order_by("-created_at")[:20]
    )
    return render(request, "indicators/export.html", {"form": form, "jobs": jobs}, status=status)


def _own_job(request, job_id) -> ExportJob:
    job = ExportJob.objects.defer("content").filter(pk=job_id, requested_by=request.user).first()
    if job is None:
        raise Http404
    return job


@require_GET
@access(Perm.AGGREGATES_VIEW)
def export_job(request, job_id):
    job = _own_job(request, job_id)
    template = (
        "indicators/_job.html"
        if request.headers.get("HX-Request")
        else "indicators/export_job.html"
    )
    return render(request, template, {"job": job})


@require_GET
@access(Perm.AGGREGATES_VIEW)
def export_download(request, job_id):
    job = _own_job(request, job_id)
    if job.status != ExportJob.Status.DONE:
        raise Http404
    content = ExportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    response = HttpResponse(bytes(content), content_type=services.FORMATS[job.fmt][0])
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


@require_http_methods(["GET", "POST"])
@access(Perm.ORG_MANAGE)
def programme(request):
    form = ProgrammeRecordForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.programme_record_add(
                    actor=request.user, request=request, **form.cleaned_data
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The programme figure was recorded."))
                return redirect("indicators:programme")
        status = 400
    records = ProgrammeRecord.objects.select_related("province", "recorded_by").order_by(
        "-reference_date", "-created_at"
    )[:100]
    return render(
        request, "indicators/programme.html", {"form": form, "records": records}, status=status
    )
