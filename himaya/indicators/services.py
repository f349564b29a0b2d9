"""Writes of the indicators app: programme records kept by administrators, and exports
(asked for with a purpose, audited, run in the background with their progress)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.permissions import Perm, has_perm
from himaya.audit.services import audit_record
from himaya.indicators import exports, selectors
from himaya.indicators.models import ExportJob, ProgrammeRecord
from himaya.indicators.periods import Period
from himaya.indicators.registry import RECORDED

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
    "dhis2": ("application/json", "json"),
    "adx": ("application/adx+xml", "xml"),
}


def programme_record_add(
    *,
    actor,
    indicator: str,
    province,
    reference_date: date,
    value: int,
    source_document: str,
    note: str = "",
    request=None,
) -> ProgrammeRecord:
    """Record a programme figure (Part B) that Himaya does not hold as records: dated, with
    its source document, by an administrator. A correction is a newer record, never an edit."""
    if not has_perm(actor, Perm.ORG_MANAGE):
        raise PermissionDenied
    errors = {}
    if indicator not in RECORDED:
        errors["indicator"] = _("Choose a programme indicator kept as a record.")
    if value is None or value < 0:
        errors["value"] = _("Enter a number of zero or more.")
    if not (source_document or "").strip():
        errors["source_document"] = _("Name the source document (decision, minutes, sheet).")
    if reference_date and reference_date > timezone.localdate():
        errors["reference_date"] = _("The reference date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        record = ProgrammeRecord.objects.create(
            indicator=indicator, province=province, reference_date=reference_date, value=value,
            source_document=source_document.strip(), note=note, recorded_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="indicators.programme_record", target_type="programme_record",
            target_id=str(record.id), request=request,
            data={"indicator": indicator, "province": getattr(province, "code", None),
                  "reference_date": reference_date.isoformat(), "value": value},
        )  # fmt: skip
    return record


def export_job_create(*, actor, fmt: str, params: dict, purpose: str, request=None) -> ExportJob:
    """Ask for an export. The purpose is required and audited with the filters (DP-32); the
    parameters are checked now (400 on bad input, 404 outside scope) and the job is handed
    to the task backend, which runs it at once in the embedded default (ImmediateBackend)
    or in a worker in production."""
    if not has_perm(actor, Perm.AGGREGATES_VIEW):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise ValidationError({"fmt": _("Unknown export format.")})
    if len((purpose or "").strip()) < 5:
        raise ValidationError({"purpose": _("State the purpose of this export.")})
    try:
        period = selectors.resolve_period(params.get("period", ""))
    except selectors.QueryError as exc:
        raise ValidationError({exc.field: exc.message}) from None
    if fmt == "pdf" and period.kind != "year":
        raise ValidationError({"period": _("The annual report needs a year.")})
    territory = selectors.resolve_territory(
        actor, province=params.get("province", ""), region=params.get("region", "")
    )
    clean = {"period": period.key, "territory": territory,
             "language": params.get("language") if params.get("language") in ("ar", "fr") else "fr"}  # fmt: skip
    with transaction.atomic():
        job = ExportJob.objects.create(
            requested_by=actor, fmt=fmt, params=clean, purpose=purpose.strip()
        )
        audit_record(
            actor=actor, action="indicators.export", target_type="export", target_id=str(job.id),
            reason=purpose.strip(), request=request, data={"format": fmt, **clean},
        )  # fmt: skip
    from himaya.indicators.tasks import run_export

    transaction.on_commit(lambda: run_export.enqueue(str(job.id)))
    return job


def export_run(job_id) -> ExportJob:
    """Produce the file of a job, saving its progress as it goes."""
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    if job.status != ExportJob.Status.QUEUED:
        return job
    job.status = ExportJob.Status.RUNNING
    job.save(update_fields=["status", "updated_at"])
    user = job.requested_by
    period = selectors.resolve_period(job.params["period"])
    territory = job.params["territory"]

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(progress=min(percent, 99))

    try:
        content = _content(job, user, period, territory, progress)
    except Exception as exc:
        job.status, job.error = ExportJob.Status.FAILED, str(exc)[:300]
        job.save(update_fields=["status", "error", "updated_at"])
        raise
    extension = FORMATS[job.fmt][1]
    job.content, job.progress, job.status = content, 100, ExportJob.Status.DONE
    job.filename = f"himaya-indicators-{territory}-{period.key}.{extension}"
    job.finished_at = timezone.now()
    job.save(
        update_fields=["content", "progress", "status", "filename", "finished_at", "updated_at"]
    )
    return job


def _content(job: ExportJob, user, period: Period, territory: str, progress) -> bytes:
    if job.fmt == "pdf":
        progress(10)
        return exports.annual_report_pdf(
            user, period.year, territory, language=job.params.get("language", "fr")
        )
    if job.fmt in ("dhis2", "adx"):
        from himaya.indicators.dashboards import inner_territories

        territories = [territory, *(code for code, _name in inner_territories(territory))]
        values = exports.dhis2_values(user, period, territories)
        progress(90)
        return (
            exports.to_dhis2_json(values, period)
            if job.fmt == "dhis2"
            else exports.to_adx(values, period)
        )
    found = exports.rows(user, period, territory, progress=progress)
    if job.fmt == "csv":
        return exports.to_csv(found)
    return exports.to_xlsx(
        found,
        title=f"{selectors.territory_name(territory)} · {period.key}",
        purpose=job.purpose,
        suppressed=selectors.aggregate_only(user),
    )
