"""Writes of care arrangements (circuit.md §6.2). Each service checks the actor's right on the
case, validates, locks the case, writes, and records the case's timeline event and the audit
event in the same transaction — the rules of `himaya/cases/services.py`, whose helpers it uses
because an arrangement is a parallel record of the case.

Reassessment triggers (assessment.md §8): a change of placement, a return to the family and a
runaway; a judicial decision on placement is one already (`judicial_measure_add`).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himaya.accounts.models import Organisation
from himaya.accounts.permissions import Perm
from himaya.cases import deadlines
from himaya.cases.models import Case, JudicialMeasure, Task
from himaya.cases.services import (
    Conflict,
    StaleVersion,
    _audit,
    _event,
    _lock,
    _reassessment_trigger,
    _require,
    _save,
    _valid_code,
)
from himaya.children.models import Person
from himaya.directory.models import Institution
from himaya.directory.services import institution_occupancy_adjust
from himaya.placements.models import (
    FAMILY_BASED,
    NEEDS_JUDICIAL_DECISION,
    RESIDENTIAL,
    REVIEW_EVERY,
    CareArrangement,
    CareEvent,
    PlacementReview,
)

# Organisation types that may receive a child in each residential arrangement (codes.md §5).
PROVIDER_TYPES = {
    "emergency_shelter": ("eps", "cpe", "association", "samu_social"),
    "eps": ("eps",),
    "cpe": ("cpe",),
}
# Judicial measures that create a care arrangement, and its type (codes.md, creates_care).
MEASURE_CARE_TYPE = {"kafala": "kafala", "eps_placement": "eps"}


def _review_due(care_type: str, start: date) -> date | None:
    every = REVIEW_EVERY.get(care_type)
    return deadlines._shift_date(start, every) if every else None


def _end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def _schedule_review(arrangement: CareArrangement, case: Case) -> None:
    """One open placement-review task per case, due at the next review of its arrangement."""
    case.tasks.filter(kind="placement_review", status="open").update(
        status=Task.Status.CANCELLED, done_at=timezone.now()
    )
    if arrangement.next_review_due and arrangement.active and case.stage != "closed":
        Task.objects.create(
            case=case,
            kind="placement_review",
            due_at=_end_of_day(arrangement.next_review_due),
            assignee=case.case_manager,
        )


def _occupancy(actor, arrangement: CareArrangement, delta: int, request=None) -> None:
    """An admission to or a discharge from residential care moves the receiving institution's
    occupancy in the directory (issue #6: capacity and current occupancy), under its lock."""
    if arrangement.care_type not in RESIDENTIAL or arrangement.provider_org_id is None:
        return
    institution = (
        Institution.objects.filter(organisation_id=arrangement.provider_org_id, active=True)
        .order_by("code")
        .values_list("pk", flat=True)
        .first()
    )
    if institution is not None:
        reason = "admission" if delta > 0 else "discharge"
        institution_occupancy_adjust(
            actor=actor, institution_id=institution, delta=delta, reason=reason, request=request
        )


def _arrangement(arrangement_id, *, version: int | None = None) -> tuple[CareArrangement, Case]:
    """The arrangement and its case, both locked (case first, as every case service does)."""
    try:
        case_id = CareArrangement.objects.values_list("case_id", flat=True).get(pk=arrangement_id)
    except (CareArrangement.DoesNotExist, ValidationError, ValueError):
        raise CareArrangement.DoesNotExist from None
    case = _lock(case_id)
    arrangement = CareArrangement.objects.select_for_update().get(pk=arrangement_id)
    if version is not None and arrangement.version != version:
        raise StaleVersion
    return arrangement, case


def _bump(arrangement: CareArrangement, fields: list[str]) -> None:
    arrangement.version += 1
    arrangement.save(update_fields=[*fields, "version", "updated_at"])


def _validate_new(
    case: Case,
    *,
    care_type: str,
    legal_basis: str,
    start_date: date,
    planned_end_date: date | None,
    provider_org: Organisation | None,
    carer: Person | None,
    judicial_measure: JudicialMeasure | None,
) -> None:
    _valid_code("care_type", care_type, "care_type")
    _valid_code("care_legal_basis", legal_basis, "legal_basis")
    errors: dict[str, str] = {}
    if start_date > timezone.localdate():
        errors["start_date"] = _("An arrangement is recorded once it has started.")
    if case.child.birth_date and start_date < case.child.birth_date:
        errors["start_date"] = _("This date is before the child's birth.")
    if planned_end_date and planned_end_date < start_date:
        errors["planned_end_date"] = _("An arrangement cannot end before it starts.")
    if care_type in RESIDENTIAL:
        if provider_org is None:
            errors["provider_org"] = _("Name the institution that receives the child.")
        elif provider_org.type not in PROVIDER_TYPES[care_type]:
            errors["provider_org"] = _(
                "This organisation does not receive children in this type of care."
            )
        elif not provider_org.active:
            errors["provider_org"] = _("This organisation is no longer active.")
    if care_type in FAMILY_BASED:
        if carer is None:
            errors["carer"] = _("Name the person who cares for the child.")
        elif not case.child.relations.filter(person=carer).exists():
            errors["carer"] = _("Record this person in the child's family and caregivers first.")
    if (legal_basis == "judicial_decision" or care_type in NEEDS_JUDICIAL_DECISION) and (
        judicial_measure is None
    ):
        errors["judicial_measure"] = _("This arrangement rests on a judicial decision: choose it.")
    if judicial_measure is not None and judicial_measure.case_id != case.pk:
        errors["judicial_measure"] = _("This decision belongs to another case.")
    if errors:
        raise ValidationError(errors)


def _overlapping_primary(child_id, start_date: date, *, exclude=None):
    """The child's primary arrangements still running on `start_date` or starting after it."""
    rows = CareArrangement.objects.filter(child_id=child_id, is_primary=True)
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.filter(end_date__isnull=True) | rows.filter(end_date__gt=start_date)


@transaction.atomic
def care_arrangement_open(
    *,
    actor,
    case_id,
    care_type: str,
    legal_basis: str,
    start_date: date,
    provider_org: Organisation | None = None,
    carer: Person | None = None,
    judicial_measure: JudicialMeasure | None = None,
    planned_end_date: date | None = None,
    is_primary: bool = True,
    note: str = "",
    request=None,
) -> CareArrangement:
    """Record where and with whom the child now lives. A new primary arrangement ends the
    current one on its start date (a change of placement: reassessment due); the primary
    arrangements of a child never overlap."""
    case = _lock(case_id)
    _require(actor, Perm.CASE_WORK, case)
    return _open(
        actor, case, care_type=care_type, legal_basis=legal_basis, start_date=start_date,
        provider_org=provider_org, carer=carer, judicial_measure=judicial_measure,
        planned_end_date=planned_end_date, is_primary=is_primary, note=note, request=request,
    )  # fmt: skip


def _open(actor, case: Case, *, request=None, **values) -> CareArrangement:
    if case.stage == "closed":
        raise Conflict(_("The case is closed."), guard="closed")
    _validate_new(
        case,
        **{
            k: values[k]
            for k in (
                "care_type", "legal_basis", "start_date", "planned_end_date", "provider_org",
                "carer", "judicial_measure",
            )
        },
    )  # fmt: skip
    start = values["start_date"]
    previous = None
    if values["is_primary"]:
        running = list(
            _overlapping_primary(case.child_id, start).select_for_update().order_by("start_date")
        )
        later = [a for a in running if a.end_date is not None or a.start_date >= start]
        if later:
            raise ValidationError(
                {
                    "start_date": _(
                        "The child already lived elsewhere on this date (from %(start)s): "
                        "primary arrangements cannot overlap."
                    )
                    % {"start": later[0].start_date.isoformat()}
                }
            )
        if running:  # a change of placement: the current arrangement ends today
            previous = running[0]
            _close(actor, previous, case, end_date=start, end_reason="other_arrangement")
    arrangement = CareArrangement.objects.create(
        case=case, child=case.child, recorded_by=actor,
        next_review_due=_review_due(values["care_type"], start), **values,
    )  # fmt: skip
    arrangement.full_clean()
    CareEvent.objects.create(
        arrangement=arrangement, event_type=CareEvent.Type.ADMISSION,
        at=timezone.make_aware(datetime.combine(start, time(12))), recorded_by=actor,
    )  # fmt: skip
    _schedule_review(arrangement, case)
    _occupancy(actor, arrangement, +1, request)
    _save(case, [])
    _event(
        case, actor, "care_opened", care_type=arrangement.care_type,
        provider=arrangement.provider_org.name if arrangement.provider_org else "",
        start_date=str(start),
    )  # fmt: skip
    if previous is not None:
        _reassessment_trigger(case, actor, "placement_change")
    _audit(actor, "care.open", case, request, care_type=arrangement.care_type)
    return arrangement


def _close(actor, arrangement: CareArrangement, case: Case, *, end_date: date, end_reason: str):
    arrangement.end_date, arrangement.end_reason = end_date, end_reason
    arrangement.next_review_due = None
    _bump(arrangement, ["end_date", "end_reason", "next_review_due"])
    CareEvent.objects.create(
        arrangement=arrangement, event_type=CareEvent.Type.DISCHARGE,
        at=timezone.make_aware(datetime.combine(end_date, time(12))), recorded_by=actor,
        note=end_reason,
    )  # fmt: skip
    case.tasks.filter(kind="placement_review", status="open").update(
        status=Task.Status.CANCELLED, done_at=timezone.now()
    )
    _occupancy(actor, arrangement, -1)
    _event(
        case, actor, "care_ended", care_type=arrangement.care_type, end_date=str(end_date),
        end_reason=end_reason,
    )  # fmt: skip


@transaction.atomic
def care_arrangement_end(
    *,
    actor,
    arrangement_id,
    end_date: date,
    end_reason: str,
    version: int | None = None,
    request=None,
) -> CareArrangement:
    """End an arrangement with its reason. A return to the family is a reassessment trigger."""
    arrangement, case = _arrangement(arrangement_id, version=version)
    _require(actor, Perm.CASE_WORK, case)
    if not arrangement.active:
        raise Conflict(_("This arrangement has already ended."), guard="ended")
    _valid_code("care_end_reason", end_reason, "end_reason")
    if end_date < arrangement.start_date:
        raise ValidationError({"end_date": _("An arrangement cannot end before it starts.")})
    if end_date > timezone.localdate():
        raise ValidationError({"end_date": _("This date is in the future.")})
    _close(actor, arrangement, case, end_date=end_date, end_reason=end_reason)
    _save(case, [])
    if end_reason == "returned_to_family":
        _reassessment_trigger(case, actor, "return_to_family")
    _audit(actor, "care.end", case, request, end_reason=end_reason)
    return arrangement


@transaction.atomic
def care_event_add(
    *, actor, arrangement_id, event_type: str, at: datetime, note: str = "", request=None
) -> CareEvent:
    """Record a leave, a runaway or a return, or a transfer inside the arrangement. A runaway
    alerts the case manager and the supervisors of the case's organisation and is a
    reassessment trigger."""
    arrangement, case = _arrangement(arrangement_id)
    _require(actor, Perm.CASE_WORK, case)
    allowed = {CareEvent.Type.LEAVE, CareEvent.Type.RUNAWAY, CareEvent.Type.RETURN}
    allowed.add(CareEvent.Type.TRANSFER)
    if event_type not in allowed:
        raise ValidationError({"event_type": _("Choose a value from the list.")})
    if not arrangement.active:
        raise Conflict(_("This arrangement has already ended."), guard="ended")
    if at > timezone.now():
        raise ValidationError({"at": _("This time is in the future.")})
    if timezone.localdate(at) < arrangement.start_date:
        raise ValidationError({"at": _("This is before the arrangement started.")})
    last = arrangement.events.filter(
        event_type__in=[CareEvent.Type.RUNAWAY, CareEvent.Type.RETURN]
    ).order_by("-at", "-created_at")
    last_type = last.values_list("event_type", flat=True).first()
    if event_type == CareEvent.Type.RETURN and last_type != CareEvent.Type.RUNAWAY:
        raise Conflict(_("No runaway is recorded for this arrangement."), guard="no_runaway")
    if event_type == CareEvent.Type.RUNAWAY and last_type == CareEvent.Type.RUNAWAY:
        raise Conflict(_("The child is already recorded as missing."), guard="runaway_open")
    event = CareEvent.objects.create(
        arrangement=arrangement, event_type=event_type, at=at, note=note.strip(), recorded_by=actor
    )
    _save(case, [])
    _event(case, actor, "care_event", event_type=event_type, at=at.isoformat())
    if event_type == CareEvent.Type.RUNAWAY:
        _alert_runaway(case)
        _reassessment_trigger(case, actor, "runaway")
    _audit(actor, "care.event", case, request, event_type=event_type)
    return event


def _alert_runaway(case: Case) -> None:
    """DP-48: the message names the action, never the child; the link opens the case."""
    from himaya.accounts.models import Membership, Notification

    users = {case.case_manager_id} - {None}
    users |= set(
        Membership.objects.filter(
            organisation_id=case.organisation_id, role="supervisor", active=True
        ).values_list("user_id", flat=True)
    )
    Notification.objects.bulk_create(
        Notification(
            user_id=user_id,
            kind="runaway",
            message="A child in care ran away: see the case.",
            link=f"/cases/{case.pk}/",
        )
        for user_id in sorted(users)
    )


@transaction.atomic
def placement_review_add(
    *,
    actor,
    arrangement_id,
    reviewed_on: date,
    child_seen: bool,
    recommendation: str,
    child_views: str = "",
    views_not_obtained_reason: str = "",
    note: str = "",
    request=None,
) -> PlacementReview:
    """The periodic review: completes the review task and schedules the next one."""
    arrangement, case = _arrangement(arrangement_id)
    _require(actor, Perm.CASE_WORK, case)
    if not arrangement.active:
        raise Conflict(_("This arrangement has already ended."), guard="ended")
    if recommendation not in PlacementReview.Recommendation.values:
        raise ValidationError({"recommendation": _("Choose a value from the list.")})
    if reviewed_on > timezone.localdate():
        raise ValidationError({"reviewed_on": _("This date is in the future.")})
    if reviewed_on < arrangement.start_date:
        raise ValidationError({"reviewed_on": _("This is before the arrangement started.")})
    if not child_views.strip():
        if not views_not_obtained_reason:
            raise ValidationError(
                {"child_views": _("Record the child's views, or why they could not be obtained.")}
            )
        _valid_code(
            "views_not_obtained_reason", views_not_obtained_reason, "views_not_obtained_reason"
        )
    review = PlacementReview.objects.create(
        arrangement=arrangement, reviewed_on=reviewed_on, reviewer=actor, child_seen=child_seen,
        child_views=child_views.strip(), views_not_obtained_reason=views_not_obtained_reason,
        recommendation=recommendation, note=note.strip(),
    )  # fmt: skip
    now = timezone.now()
    case.tasks.filter(kind="placement_review", status="open").update(
        status=Task.Status.DONE, done_at=now
    )
    arrangement.next_review_due = _review_due(arrangement.care_type, reviewed_on)
    _bump(arrangement, ["next_review_due"])
    if arrangement.next_review_due and case.stage != "closed":
        Task.objects.create(
            case=case, kind="placement_review", due_at=_end_of_day(arrangement.next_review_due),
            assignee=case.case_manager,
        )  # fmt: skip
    _save(case, [])
    _event(case, actor, "placement_review", recommendation=recommendation, child_seen=child_seen)
    _audit(actor, "care.review", case, request, recommendation=recommendation)
    return review


def care_from_measure(actor, case: Case, measure: JudicialMeasure) -> CareArrangement | None:
    """R4: a placement measure creates the care arrangement (called by `judicial_measure_add`
    inside its transaction, the case already locked). Measures whose care depends on whether
    the child is placed (471, 481, 513, other) name the institution; those without one leave
    the arrangement to the case manager."""
    care_type = MEASURE_CARE_TYPE.get(measure.measure_type)
    institution = measure.institution
    if care_type is None and institution is not None:
        care_type = institution.type if institution.type in ("eps", "cpe") else None
    if care_type is None or case.stage == "closed":
        return None
    if care_type in RESIDENTIAL and institution is None:
        return None
    if care_type in FAMILY_BASED:
        return None  # the carer is a person the judicial liaison does not name: the case manager records it
    current = (
        CareArrangement.objects.filter(
            child_id=case.child_id, is_primary=True, end_date__isnull=True
        )
        .order_by("-start_date")
        .first()
    )
    start = max(measure.starts_on, current.start_date if current else measure.starts_on)
    start = min(start, timezone.localdate())
    return _open_quietly(
        actor, case, care_type=care_type, legal_basis="judicial_decision", start_date=start,
        provider_org=institution, carer=None, judicial_measure=measure,
        planned_end_date=measure.ends_on, is_primary=True, note="",
    )  # fmt: skip


def emergency_shelter_open(actor, case: Case, provider: Organisation, start: date):
    """The emergency placement recorded by a safety action (`safety_action_add`)."""
    current = CareArrangement.objects.filter(
        child_id=case.child_id, is_primary=True, end_date__isnull=True
    ).first()
    if current is not None and current.provider_org_id == provider.pk:
        return current
    return _open_quietly(
        actor, case, care_type="emergency_shelter", legal_basis="administrative_admission",
        start_date=start, provider_org=provider, carer=None, judicial_measure=None,
        planned_end_date=None, is_primary=True, note="",
    )  # fmt: skip


def _open_quietly(actor, case: Case, **values) -> CareArrangement | None:
    """Open an arrangement another record implies; if its data do not make a valid one (an
    organisation that does not take children in, dates that overlap), leave it to the case
    manager rather than refuse the record that implied it. A timeline event says so."""
    try:
        with transaction.atomic():
            return _open(actor, case, **values)
    except ValidationError:
        _event(case, actor, "care_not_recorded", care_type=values["care_type"])
        return None
