"""Documents of a case (the case file and the letter to the prosecutor) as PDFs.

An export of identifiable child data needs a stated purpose (DP-30); it is audited with that
purpose and carries the user, date and export id on every page (DP-32). The judicial
liaison's letter is built from the facts needed for the parquet only (data minimisation)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from himaya.accounts.permissions import Perm, has_perm
from himaya.audit.services import audit_record
from himaya.cases import documents, selectors
from himaya.cases.models import Case
from himaya.core import codes

EXPORT_PURPOSES = (
    "court_request",
    "transfer_outside_system",
    "case_conference",
    "legal_obligation",
    "other",
)


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes


def _check_purpose(purpose: str, note: str) -> None:
    errors = {}
    if purpose not in EXPORT_PURPOSES:
        errors["purpose"] = _("Choose why you export this document.")
    if len(note.strip()) < 5:
        errors["note"] = _("Say in a few words why you need this document.")
    if errors:
        raise ValidationError(errors)


def _when(value) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else ""


def _age(case: Case) -> str:
    from himaya.cases.services import _age_on

    age = _age_on(case.child, timezone.localdate())
    if age is None:
        return _("unknown")
    if case.child.birth_date_estimated:
        return ngettext("about %(years)s year", "about %(years)s years", age) % {"years": age}
    return ngettext("%(years)s year", "%(years)s years", age) % {"years": age}


def case_file_pdf(
    *, actor, case_id, language: str, purpose: str, note: str, request=None
) -> Export:
    """The whole case file, for those who may read the case's full content."""
    _check_purpose(purpose, note)
    case = selectors.case_get_for_user(
        actor, case_id, Perm.CHILD_VIEW, request=request, audit=False
    )
    export_id = uuid.uuid4().hex[:10].upper()
    with translation.override(language):
        child = case.child
        data = documents.CaseFileData(
            number=case.number,
            child_name_ar=" ".join(filter(None, [child.first_name_ar, child.last_name_ar])),
            child_name_lat=" ".join(filter(None, [child.first_name_lat, child.last_name_lat]))
            or child.known_as,
            sex_label=codes.label("sex", child.sex),
            birth_date=child.birth_date.isoformat() if child.birth_date else None,
            age_label=_age(case),
            territory=case.province.name,
            organisation=case.organisation.name,
            stage_label=codes.label("case_stage", case.stage),
            risk_level_label=codes.label("risk_level", str(case.risk_level)),
            opened_at=_when(case.opened_at),
            case_manager=case.case_manager.display_name if case.case_manager else "—",
            concerns=[
                codes.label("concern_subcategory", c.subcategory)
                if c.subcategory
                else codes.label("concern_category", c.category)
                for c in case.concern_rows.all()
            ],
            timeline=[
                (_when(e.at), _event_phrase(e)) for e in selectors.case_timeline(case, limit=200)
            ],
            plan_actions=[
                (codes.label("service_type", a.service), a.due_on.isoformat(), a.status)
                for a in case.plan_actions.order_by("due_on")
            ],
            judicial=_judicial_lines(actor, case),
            generated_by=actor.username,
            generated_at=_when(timezone.now()),
            export_id=export_id,
        )
        content = documents.render_case_file(data, language=language)
    audit_record(
        actor=actor, action="export.pdf", target_type="case", target_id=str(case.pk), child_id=case.child_id,
        reason=note.strip(), request=request, data={"document": "case_file", "purpose": purpose, "export_id": export_id, "language": language},
    )  # fmt: skip
    return Export(filename=f"{case.number}-{export_id}.pdf", content=content)


def prosecutor_letter_pdf(
    *,
    actor,
    case_id,
    language: str,
    court: str,
    purpose: str = "legal_obligation",
    note: str = "",
    request=None,
) -> Export:
    """The letter reporting the child to the King's Prosecutor (signalement au parquet)."""
    _check_purpose(purpose, note or "report to the prosecutor")
    case = selectors.case_get_for_user(
        actor, case_id, Perm.CHILD_VIEW_SUMMARY, request=request, audit=False
    )
    if not has_perm(actor, Perm.JUDICIAL_RECORD, case):
        raise PermissionDenied
    if not court.strip():
        raise ValidationError({"court": _("Name the court.")})
    export_id = uuid.uuid4().hex[:10].upper()
    report = case.first_report
    with translation.override(language):
        child = case.child
        data = documents.ProsecutorLetterData(
            number=case.number,
            court=court.strip(),
            date=formats.date_format(timezone.localdate(), "DATE_FORMAT"),
            sender_org=case.organisation.name,
            sender_name=actor.display_name,
            child_name_ar=" ".join(filter(None, [child.first_name_ar, child.last_name_ar])),
            child_name_lat=" ".join(filter(None, [child.first_name_lat, child.last_name_lat]))
            or child.known_as,
            birth_date=child.birth_date.isoformat() if child.birth_date else None,
            facts=report.narrative if report else "",
            concerns=[
                codes.label("concern_subcategory", c.subcategory)
                if c.subcategory
                else codes.label("concern_category", c.category)
                for c in case.concern_rows.all()
            ],
            reference=(report.external_reference or None) if report else None,
            generated_by=actor.username,
            generated_at=_when(timezone.now()),
            export_id=export_id,
        )
        content = documents.render_prosecutor_letter(data, language=language)
    audit_record(
        actor=actor, action="export.pdf", target_type="case", target_id=str(case.pk), child_id=case.child_id,
        reason=(note or "report to the prosecutor").strip(), request=request,
        data={"document": "prosecutor_letter", "purpose": purpose, "export_id": export_id, "language": language},
    )  # fmt: skip
    return Export(filename=f"{case.number}-parquet-{export_id}.pdf", content=content)


def _judicial_lines(actor, case: Case) -> list[tuple[str, str]]:
    if not has_perm(actor, Perm.DATA_JUDICIAL, case):
        return [(_("Judicial track"), _("Restricted information"))]
    lines = [(_("Judicial status"), codes.label("judicial_status", case.judicial_status))]
    for referral in case.judicial_referrals.order_by("sent_at"):
        lines.append(
            (
                _("Report to the prosecutor"),
                f"{referral.court} · {_when(referral.sent_at)} · {referral.reference}",
            )
        )
    for measure in case.judicial_measures.order_by("decided_at"):
        lines.append(
            (
                codes.label("judicial_measure_type", measure.measure_type),
                f"{measure.starts_on} → {measure.ends_on or '…'}",
            )
        )
    return lines


def _event_phrase(event) -> str:
    if event.kind in ("transition", "opened"):
        return _("%(transition)s: %(from)s → %(to)s") % {
            "transition": event.transition,
            "from": codes.label("case_stage", event.from_stage) if event.from_stage else "—",
            "to": codes.label("case_stage", event.to_stage),
        }
    return str(EVENT_LABELS.get(event.kind, event.kind.replace("_", " ")))


EVENT_LABELS = {
    "assigned": gettext_lazy("Worker assigned"),
    "emergency_opened": gettext_lazy("Emergency opened"),
    "emergency_resolved": gettext_lazy("Emergency resolved"),
    "safety_action": gettext_lazy("Safety action"),
    "judicial_report": gettext_lazy("Report to the prosecutor"),
    "judicial_task_waived": gettext_lazy("Mandatory report waived"),
    "judicial_measure": gettext_lazy("Judicial measure"),
    "hearing": gettext_lazy("Hearing"),
    "plan_action": gettext_lazy("Plan action added"),
    "plan_action_status": gettext_lazy("Plan action updated"),
    "follow_up": gettext_lazy("Follow-up contact"),
    "assessed": gettext_lazy("Assessment recorded"),
    "reassessment_due": gettext_lazy("Reassessment due"),
    "report_linked": gettext_lazy("New report linked"),
    "updated": gettext_lazy("Case updated"),
    "transfer_requested": gettext_lazy("Transfer requested"),
    "transfer_accepted": gettext_lazy("Transfer accepted"),
    "transfer_rejected": gettext_lazy("Transfer rejected"),
}
