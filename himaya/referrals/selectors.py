"""Reads of referrals — two doors, one per side.

* **Incoming** (service providers, DP-16 and DP-34): the referrals addressed to an organisation
  where the user holds REFERRAL_PACKET_VIEW, while open and for 90 days after they close;
  the provider sees the packet only, never the case. Another organisation's referral does not
  exist for them (404). Every packet view is audited.
* **Outgoing** (the case team): the referrals of the cases the user may open in full
  (`cases_visible_to(user, CHILD_VIEW)`); the case's own scope decides.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from himaya.accounts.permissions import Perm, granting
from himaya.audit.services import audit_record
from himaya.cases.selectors import cases_visible_to
from himaya.referrals.models import OPEN_STATUSES, Referral

PROVIDER_WINDOW = timedelta(days=90)  # data-protection.md §5: until completion + 90 days
PAGE_LIMIT = 200


def open_referrals_of_case(case) -> QuerySet[Referral]:
    """Referrals of a case still sent or accepted: closure check 7 of circuit.md §5.4."""
    return Referral.objects.filter(case=case, status__in=OPEN_STATUSES)


def provider_organisations(user) -> list:
    return [m.organisation_id for m in granting(user, Perm.REFERRAL_PACKET_VIEW)]


def referrals_incoming(user, *, now=None) -> QuerySet[Referral]:
    organisations = provider_organisations(user)
    if not organisations:
        return Referral.objects.none()
    since = (now or timezone.now()) - PROVIDER_WINDOW
    return Referral.objects.filter(provider_organisation_id__in=organisations).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=since)
    )


def referrals_outgoing(user) -> QuerySet[Referral]:
    visible = cases_visible_to(user, Perm.CHILD_VIEW)
    return Referral.objects.filter(case_id__in=visible.values("pk"))


def _key(referral_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(referral_id))
    except ValueError:
        raise Http404 from None


def referral_get_for_provider(user, referral_id, *, request=None, audit: bool = True) -> Referral:
    """A referral addressed to the user's organisation (404 otherwise); the packet read is
    audited with the child's id, so the child's access log shows who saw the packet."""
    referral = (
        referrals_incoming(user)
        .select_related("institution", "provider_organisation")
        .filter(pk=_key(referral_id))
        .first()
    )
    if referral is None:
        audit_record(
            actor=user, action="referral.packet_read", target_type="referral",
            target_id=str(referral_id), outcome="denied", request=request,
        )  # fmt: skip
        raise Http404
    if audit:
        audit_record(
            actor=user, action="referral.packet_read", target_type="referral",
            target_id=str(referral.pk), child_id=referral.packet.get("child_id"), request=request,
        )  # fmt: skip
    return referral


def referral_get_for_case_team(user, referral_id, *, request=None) -> Referral:
    """A referral of a case the user may open in full (404 otherwise); audited."""
    referral = (
        referrals_outgoing(user)
        .select_related("case", "case__child", "institution", "sent_by")
        .filter(pk=_key(referral_id))
        .first()
    )
    if referral is None:
        raise Http404
    audit_record(
        actor=user, action="referral.read", target_type="referral", target_id=str(referral.pk),
        child_id=referral.case.child_id, request=request,
    )  # fmt: skip
    return referral


def referral_get_for_user(user, referral_id, *, request=None) -> tuple[Referral, bool]:
    """(referral, as_provider): the provider's door first, then the case team's."""
    key = _key(referral_id)
    if provider_organisations(user) and referrals_incoming(user).filter(pk=key).exists():
        return referral_get_for_provider(user, key, request=request), True
    return referral_get_for_case_team(user, key, request=request), False


def inbox(user, *, status: str = "", limit: int = PAGE_LIMIT) -> list[Referral]:
    rows = referrals_incoming(user).select_related("institution")
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-sent_at")[:limit])


def outbox(user, *, status: str = "", limit: int = PAGE_LIMIT) -> list[Referral]:
    rows = referrals_outgoing(user).select_related("case", "case__child", "institution")
    if status:
        rows = rows.filter(status=status)
    return list(rows.order_by("-sent_at")[:limit])


def referrals_of_case(case) -> list[Referral]:
    return list(case.referrals.select_related("institution").order_by("-sent_at")[:100])
