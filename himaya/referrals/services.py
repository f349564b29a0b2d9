"""Writes of referrals: send (the case team), accept / decline / complete (the institution's
own users), cancel (the case team), and the overdue alerts.

Each write locks the referral (and the case when it sends), applies the transition table of
`models.TRANSITIONS`, moves the plan action along, records the case timeline event and the
audit event in the same transaction, and tells the other side through a Notification that
carries no child data (DP-48): it names the event and links to the referral.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from himaya.accounts.models import Membership, Notification
from himaya.accounts.permissions import Perm, granting, has_perm
from himaya.audit.services import audit_record
from himaya.cases import services as case_services
from himaya.cases.models import Case, CaseEvent, PlanAction
from himaya.cases.services import Conflict
from himaya.core import codes
from himaya.directory.models import Institution
from himaya.directory.selectors import in_allowed_area
from himaya.referrals.models import OPEN_STATUSES, TRANSITIONS, Referral

REFERRAL_STAGES = ("planning", "accompaniment", "follow_up")
URGENCIES = ("routine", "urgent")
# How long the institution has to accept or decline [Proposal], and the default delivery
# date: the feedback window of circuit.md §4.6 (sent_at + 30 days).
RESPONSE_WINDOW = {"urgent": timedelta(hours=24), "routine": timedelta(days=3)}
DEFAULT_DUE = timedelta(days=30)
# Declining for one of these reasons means the service is not available ("impossible" in the
# provincial diagnostic), not that the child was refused.
UNAVAILABLE_REASONS = frozenset({"no_capacity", "service_not_offered"})

# What a packet carries beyond the common core, per service (data-protection.md DP-37, with
# the child's fields Himaya holds today). Never: narrative, reporter, assessment scores,
# concerns, judicial data, other services, address.
PACKET_EXTRAS: dict[str, tuple[str, ...]] = {
    "health": ("birth_date", "disability"),
    "civil_registration": ("birth_date", "nationality", "civil_registration_status"),
    "education": ("education_status", "disability"),
    "vocational_training": ("education_status",),
    "shelter": ("birth_date",),
}


def _age(child, today: date) -> int | None:
    if child.birth_date is None:
        return None
    born = child.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def build_packet(
    *, case: Case, service: str, note: str, urgency: str, actor, institution: Institution
) -> dict:
    """The referral packet: the minimum the provider needs to act, frozen when sent."""
    child = case.child
    sender_point = (
        Institution.objects.filter(organisation_id=case.organisation_id, active=True)
        .exclude(phone="")
        .order_by("code")
        .first()
    )
    packet = {
        "child_id": str(child.pk),  # for the audit of packet reads; never shown
        "child": {
            "name_ar": " ".join(p for p in (child.first_name_ar, child.last_name_ar) if p),
            "name_lat": " ".join(p for p in (child.first_name_lat, child.last_name_lat) if p),
            "known_as": child.known_as,
            "sex": child.sex,
            "age": _age(child, timezone.localdate()),
            "age_estimated": child.birth_date_estimated,
            "languages": list(child.languages or []),
        },
        "service": service,
        "urgency": urgency,
        "note": note,
        "referring_worker": {
            "name": actor.display_name,
            "organisation": case.organisation.name_fr,
            "organisation_ar": case.organisation.name_ar,
            "email": actor.email,
            "phone": sender_point.phone if sender_point else "",
        },
        "institution": institution.code,
    }
    extras = {}
    for name in PACKET_EXTRAS.get(service, ()):
        value = getattr(child, name)
        extras[name] = value.isoformat() if isinstance(value, date) else value
    packet["extra"] = extras
    return packet


def _event(case_id, actor, kind: str, **data) -> None:
    CaseEvent.objects.create(case_id=case_id, at=timezone.now(), actor=actor, kind=kind, data=data)


def _audit(actor, action: str, referral: Referral, request=None, **data) -> None:
    audit_record(
        actor=actor, action=action, target_type="referral", target_id=str(referral.pk),
        child_id=referral.packet.get("child_id"), request=request, data=data,
    )  # fmt: skip


def _notify(users, kind: str, message: str, referral: Referral) -> None:
    seen = set()
    for user in users:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        Notification.objects.create(
            user=user, kind=kind, message=message, link=f"/referrals/{referral.pk}/"
        )


def _provider_users(referral: Referral):
    return [
        m.user
        for m in Membership.objects.filter(
            organisation_id=referral.provider_organisation_id,
            role="service_provider",
            active=True,
            user__is_active=True,
        ).select_related("user")
    ]


def _referring_side(referral: Referral):
    case = referral.case
    return [referral.sent_by, case.case_manager]


# --- send ----------------------------------------------------------------------------------------


@transaction.atomic
def referral_send(
    *,
    actor,
    case_id,
    institution_id,
    service: str,
    due_on: date | None = None,
    note: str = "",
    urgency: str = "routine",
    plan_action_id=None,
    request=None,
) -> Referral:
    """Refer the child of a case to an institution for a service of its plan.

    Refused (400, naming the field) when the institution does not offer the service, is
    outside the allowed area (the case's region), is inactive or has nobody in Himaya to
    answer; refused (409) before the planning stage. Without a plan action, the case's open
    action for that service is used, or one is added to the plan."""
    case = (
        Case.objects.select_for_update(of=("self",))  # not the organisation or the territory
        .select_related("child", "organisation", "province")
        .get(pk=case_id)
    )
    if not has_perm(actor, Perm.CASE_WORK, case):
        raise PermissionDenied
    if case.stage not in REFERRAL_STAGES:
        raise Conflict(_("Referrals are sent from the planning stage on."), guard="stage")
    if not codes.is_valid("service_type", service):
        raise ValidationError({"service": _("Choose a service from the catalogue.")})
    if urgency not in URGENCIES:
        raise ValidationError({"urgency": _("Choose a value from the list.")})
    institution = (
        Institution.objects.select_related("province")
        .filter(pk=institution_id, active=True)
        .first()
    )
    if institution is None:
        raise ValidationError({"institution": _("Choose an active institution of the directory.")})
    if not institution.services.filter(code=service).exists():
        raise ValidationError(
            {
                "institution": _("%(institution)s does not offer the service “%(service)s”.")
                % {"institution": institution.name, "service": codes.label("service_type", service)}
            }
        )
    if not in_allowed_area(institution, case.province):
        raise ValidationError(
            {
                "institution": _(
                    "%(institution)s is outside the area this case may be referred to "
                    "(the territories of its region)."
                )
                % {"institution": institution.name}
            }
        )
    if institution.organisation_id is None:
        raise ValidationError(
            {"institution": _("Nobody in this institution uses Himaya to answer a referral.")}
        )
    today = timezone.localdate()
    due_on = due_on or (today + DEFAULT_DUE)
    if due_on < today:
        raise ValidationError({"due_on": _("The due date is in the past.")})
    note = (note or "").strip()
    action = _plan_action_for(actor, case, service, plan_action_id, note, due_on, request)
    if Referral.objects.filter(
        plan_action=action, institution=institution, status__in=OPEN_STATUSES
    ).exists():
        raise Conflict(
            _("This plan action is already referred to this institution."), guard="duplicate"
        )
    now = timezone.now()
    referral = Referral.objects.create(
        case=case, plan_action=action, service=service, institution=institution,
        provider_organisation_id=institution.organisation_id, province=case.province,
        urgency=urgency, note=note, status="sent", sent_at=now, sent_by=actor, due_on=due_on,
        respond_by=now + RESPONSE_WINDOW[urgency],
        packet=build_packet(
            case=case, service=service, note=note, urgency=urgency, actor=actor, institution=institution
        ),
    )  # fmt: skip
    case_services.plan_action_follow_referral(actor=actor, action_id=action.pk, status="referred")
    _event(
        case.pk, actor, "referral_sent", referral=str(referral.pk), service=service,
        institution=institution.name_fr, institution_ar=institution.name_ar, due_on=str(due_on),
    )  # fmt: skip
    _audit(actor, "referral.send", referral, request, institution=institution.code, service=service)
    _notify(
        _provider_users(referral),
        "referral_received",
        gettext_noop("A new referral is waiting for your answer."),
        referral,
    )
    return referral


def _plan_action_for(actor, case, service, plan_action_id, note, due_on, request) -> PlanAction:
    if plan_action_id:
        action = PlanAction.objects.filter(pk=plan_action_id, case=case).first()
        if action is None:
            raise ValidationError({"plan_action": _("This action is not in the case's plan.")})
        if action.status in ("done", "cancelled"):
            raise ValidationError({"plan_action": _("This plan action is closed.")})
        if action.service != service:
            raise ValidationError({"service": _("The plan action is for another service.")})
        return action
    action = (
        case.plan_actions.filter(service=service)
        .exclude(status__in=("done", "cancelled"))
        .order_by("-created_at")
        .first()
    )
    if action is not None:
        return action
    return case_services.plan_action_add(
        actor=actor, case_id=case.pk, service=service, goal=note or codes.label("service_type", service),
        due_on=due_on, request=request,
    )  # fmt: skip


# --- the provider's answers ----------------------------------------------------------------------


def _lock_for_provider(actor, referral_id) -> Referral:
    """The referral, locked, if it is addressed to an organisation where the actor may answer
    referrals; 404 otherwise (another organisation's referral does not exist for them)."""
    organisations = [m.organisation_id for m in granting(actor, Perm.REFERRAL_RESPOND)]
    referral = (
        Referral.objects.select_for_update()
        .filter(pk=referral_id, provider_organisation_id__in=organisations)
        .first()
    )
    if referral is None:
        raise Http404
    return Referral.objects.select_related("case", "sent_by", "case__case_manager").get(
        pk=referral.pk
    )


def _step(referral: Referral, action: str) -> str:
    target = TRANSITIONS.get(referral.status, {}).get(action)
    if target is None:
        raise Conflict(
            _("A referral that is “%(status)s” cannot be changed this way.")
            % {"status": codes.label("referral_status", referral.status)},
            guard="status",
        )
    return target


def _save(referral: Referral, fields: list[str]) -> None:
    referral.version += 1
    referral.save(update_fields=[*fields, "version", "updated_at"])


@transaction.atomic
def referral_accept(*, actor, referral_id, request=None) -> Referral:
    referral = _lock_for_provider(actor, referral_id)
    referral.status = _step(referral, "accept")
    referral.responded_at, referral.responded_by = timezone.now(), actor
    _save(referral, ["status", "responded_at", "responded_by"])
    case_services.plan_action_follow_referral(
        actor=actor, action_id=referral.plan_action_id, status="in_progress"
    )
    _event(
        referral.case_id,
        actor,
        "referral_accepted",
        referral=str(referral.pk),
        service=referral.service,
    )
    _audit(actor, "referral.accept", referral, request)
    _notify(
        _referring_side(referral),
        "referral_answered",
        gettext_noop("A referral was accepted."),
        referral,
    )
    return referral


@transaction.atomic
def referral_decline(*, actor, referral_id, reason: str, note: str = "", request=None) -> Referral:
    """Decline with a reason (`referral_refusal_reason`); no capacity or a service not offered
    makes the referral `service_unavailable`, any other reason `refused`."""
    referral = _lock_for_provider(actor, referral_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for declining.")})
    if not codes.is_valid("referral_refusal_reason", reason):
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    if reason == "other" and not note.strip():
        raise ValidationError({"note": _("Say why, in a few words.")})
    _step(referral, "decline")
    now = timezone.now()
    referral.status = "service_unavailable" if reason in UNAVAILABLE_REASONS else "refused"
    referral.refusal_reason, referral.refusal_note = reason, note.strip()
    referral.responded_at, referral.responded_by, referral.closed_at = now, actor, now
    _save(
        referral,
        ["status", "refusal_reason", "refusal_note", "responded_at", "responded_by", "closed_at"],
    )
    _reopen_action(actor, referral)
    _event(
        referral.case_id, actor, "referral_declined", referral=str(referral.pk),
        service=referral.service, reason=reason, status=referral.status,
    )  # fmt: skip
    _audit(actor, "referral.decline", referral, request, reason=reason)
    _notify(
        _referring_side(referral),
        "referral_answered",
        gettext_noop("A referral was declined."),
        referral,
    )
    return referral


@transaction.atomic
def referral_complete(*, actor, referral_id, outcome: str, request=None) -> Referral:
    referral = _lock_for_provider(actor, referral_id)
    if not (outcome or "").strip():
        raise ValidationError({"outcome": _("Describe the outcome of the service.")})
    referral.status = _step(referral, "complete")
    now = timezone.now()
    referral.outcome, referral.completed_at, referral.closed_at = outcome.strip(), now, now
    _save(referral, ["status", "outcome", "completed_at", "closed_at"])
    case_services.plan_action_follow_referral(
        actor=actor, action_id=referral.plan_action_id, status="done"
    )
    _event(
        referral.case_id,
        actor,
        "referral_completed",
        referral=str(referral.pk),
        service=referral.service,
    )
    _audit(actor, "referral.complete", referral, request)
    _notify(
        _referring_side(referral),
        "referral_answered",
        gettext_noop("A referral was completed."),
        referral,
    )
    return referral


def _reopen_action(actor, referral: Referral) -> None:
    """After a decline or a cancellation the plan action is to be referred again, unless
    another referral of it is still open."""
    others = Referral.objects.filter(
        plan_action_id=referral.plan_action_id, status__in=OPEN_STATUSES
    ).exclude(pk=referral.pk)
    if not others.exists():
        case_services.plan_action_follow_referral(
            actor=actor, action_id=referral.plan_action_id, status="planned"
        )


# --- the referring side --------------------------------------------------------------------------


@transaction.atomic
def referral_cancel(*, actor, referral_id, reason: str, request=None) -> Referral:
    """The case team withdraws a referral still sent or accepted (the child moved, the need
    ended...), with a reason; the institution is told."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        raise Http404
    if not has_perm(actor, Perm.CASE_WORK, referral.case):
        raise (
            Http404
            if not has_perm(actor, Perm.CHILD_VIEW_SUMMARY, referral.case)
            else PermissionDenied
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    referral.status = _step(referral, "cancel")
    now = timezone.now()
    referral.cancelled_at, referral.closed_at, referral.refusal_note = now, now, reason.strip()
    _save(referral, ["status", "cancelled_at", "closed_at", "refusal_note"])
    _reopen_action(actor, referral)
    _event(
        referral.case_id,
        actor,
        "referral_cancelled",
        referral=str(referral.pk),
        service=referral.service,
    )
    _audit(actor, "referral.cancel", referral, request)
    _notify(
        _provider_users(referral),
        "referral_cancelled",
        gettext_noop("A referral was cancelled."),
        referral,
    )
    return referral


# --- alerts --------------------------------------------------------------------------------------


@transaction.atomic
def referrals_send_alerts(*, now: datetime | None = None) -> dict[str, int]:
    """Alert both sides, once, of a referral left unanswered past its response deadline and
    of a referral not completed by its due date. Run by `manage.py referral_alerts` (cron or
    the task runner, hourly)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"unanswered": 0, "overdue": 0}
    # of=("self",): the case manager is a nullable (outer) join, which PostgreSQL cannot lock.
    unanswered = Referral.objects.select_for_update(of=("self",)).filter(
        status="sent", respond_by__lt=now, response_alerted_at__isnull=True
    )
    for referral in unanswered.select_related("sent_by", "case__case_manager")[:1000]:
        message = gettext_noop("A referral is waiting for an answer past its deadline.")
        _notify(
            [*_provider_users(referral), *_referring_side(referral)],
            "referral_overdue",
            message,
            referral,
        )
        Referral.objects.filter(pk=referral.pk).update(response_alerted_at=now)
        counts["unanswered"] += 1
    overdue = Referral.objects.select_for_update(of=("self",)).filter(
        status__in=OPEN_STATUSES, due_on__lt=today, overdue_alerted_at__isnull=True
    )
    for referral in overdue.select_related("sent_by", "case__case_manager")[:1000]:
        message = gettext_noop("A referral is past its due date and not completed.")
        _notify(
            [*_provider_users(referral), *_referring_side(referral)],
            "referral_overdue",
            message,
            referral,
        )
        Referral.objects.filter(pk=referral.pk).update(overdue_alerted_at=now)
        counts["overdue"] += 1
    return counts
