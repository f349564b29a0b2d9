"""The provincial diagnostic (the committees' "guide de diagnostic"): for one territory and a
period, the services available per stage of the circuit against the referrals declined or
impossible, the institutions at capacity, and the waiting times.

Figures are aggregates (no child is named). For aggregate-only roles (CPPE members,
statisticians) counts from 1 to 4 are shown as "<5" (indicators.md §1.6); supervisors see them.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from himaya.accounts.permissions import Perm, granting, territory_covers
from himaya.core.models import Province, active_language
from himaya.directory.catalogue import stage_labels
from himaya.directory.models import Institution, Service

DEFAULT_PERIOD = timedelta(days=365)


@dataclass
class ServiceLine:
    code: str
    label: str
    institutions: int  # active institutions of the territory offering it
    free_places: int | None  # sum of free places where counted (None: none counted)
    sent: int = 0
    accepted: int = 0
    completed: int = 0
    declined: int = 0  # refused
    impossible: int = 0  # service_unavailable
    cancelled: int = 0
    open: int = 0

    @property
    def missing(self) -> bool:
        return self.institutions == 0


@dataclass
class StageBlock:
    number: int
    label: str
    services: list[ServiceLine]

    @property
    def missing(self) -> list[ServiceLine]:
        return [s for s in self.services if s.missing]


@dataclass
class Waiting:
    answered: int  # referrals answered (accepted or declined) in the period
    response_days_median: float | None
    response_days_mean: float | None
    completed: int
    completion_days_median: float | None
    waiting_now: int  # sent, not yet answered
    oldest_waiting_days: float | None


@dataclass
class Diagnostic:
    province: Province
    since: date
    until: date
    stages: list[StageBlock]
    at_capacity: list[Institution]
    institutions: int
    waiting: Waiting
    by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def totals(self) -> dict[str, int]:
        lines = {s.code: s for block in self.stages for s in block.services}.values()
        keys = ("sent", "accepted", "completed", "declined", "impossible", "cancelled", "open")
        return {k: sum(getattr(s, k) for s in lines) for k in keys}


def diagnostic_province_for(user, code: str) -> Province:
    """The territory whose diagnostic the user may read: AGGREGATES_VIEW over it (403 without
    the right at all, 404 for a territory outside the user's)."""
    members = granting(user, Perm.AGGREGATES_VIEW)
    if not members:
        raise PermissionDenied
    province = Province.objects.filter(pk=code).first()
    if province is None:
        raise Http404

    class _Place:
        province_id = province.code
        commune_id = None

    if not any(territory_covers(m, _Place) for m in members):
        raise Http404
    return province


def suppressed_for(user) -> bool:
    """Aggregate-only users (no case access) see small counts suppressed."""
    from himaya.accounts.permissions import has_perm

    return not has_perm(user, Perm.CHILD_VIEW)


def suppress(value: int | None) -> str:
    if value is None:
        return "—"
    return "<5" if 1 <= value <= 4 else str(value)


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def build_diagnostic(
    province: Province, *, since: date | None = None, until: date | None = None, now=None
) -> Diagnostic:
    from himaya.referrals.models import Referral  # referrals build on the directory

    now = now or timezone.now()
    until = until or timezone.localdate(now)
    since = since or (until - DEFAULT_PERIOD)
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz)

    institutions = Institution.objects.filter(province=province, active=True)
    offered = dict(
        Service.objects.filter(active=True)
        .annotate(n=Count("institutions", filter=Q(institutions__in=institutions)))
        .values_list("code", "n")
    )
    free: dict[str, int] = {}
    for inst in institutions.filter(capacity__isnull=False).prefetch_related("services"):
        for service in inst.services.all():
            free[service.code] = free.get(service.code, 0) + (inst.free_places or 0)

    referrals = Referral.objects.filter(province=province, sent_at__gte=start, sent_at__lt=end)
    counts: dict[str, dict[str, int]] = {}
    for service, status, n in (
        referrals.values_list("service", "status").annotate(n=Count("id")).order_by()
    ):
        counts.setdefault(service, {})[status] = n

    stages = []
    catalogue = {s.code: s for s in Service.objects.filter(active=True)}
    for number, labels in sorted(stage_labels().items()):
        lines = []
        for service in sorted(catalogue.values(), key=lambda s: s.sort_order):
            if number not in service.stages:
                continue
            c = counts.get(service.code, {})
            lines.append(
                ServiceLine(
                    code=service.code,
                    label=service.label,
                    institutions=offered.get(service.code, 0),
                    free_places=free.get(service.code),
                    sent=sum(c.values()),
                    accepted=c.get("accepted", 0),
                    completed=c.get("completed", 0),
                    declined=c.get("refused", 0),
                    impossible=c.get("service_unavailable", 0),
                    cancelled=c.get("cancelled", 0),
                    open=c.get("sent", 0) + c.get("accepted", 0),
                )
            )
        stages.append(StageBlock(number=number, label=labels[active_language()], services=lines))

    answered = list(
        referrals.filter(responded_at__isnull=False).values_list("sent_at", "responded_at")
    )
    response_days = [_days(r - s) for s, r in answered]
    completed = list(
        referrals.filter(completed_at__isnull=False).values_list("sent_at", "completed_at")
    )
    completion_days = [_days(c - s) for s, c in completed]
    waiting_sent = list(
        Referral.objects.filter(province=province, status="sent").values_list("sent_at", flat=True)
    )
    by_reason = dict(
        referrals.exclude(refusal_reason="")
        .values_list("refusal_reason")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Diagnostic(
        province=province,
        since=since,
        until=until,
        stages=stages,
        at_capacity=[
            i
            for i in institutions.filter(capacity__isnull=False).order_by("code")[:500]
            if i.at_capacity
        ],
        institutions=institutions.count(),
        waiting=Waiting(
            answered=len(response_days),
            response_days_median=_round(statistics.median(response_days))
            if response_days
            else None,
            response_days_mean=_round(statistics.fmean(response_days)) if response_days else None,
            completed=len(completion_days),
            completion_days_median=_round(statistics.median(completion_days))
            if completion_days
            else None,
            waiting_now=len(waiting_sent),
            oldest_waiting_days=_round(max(_days(now - s) for s in waiting_sent))
            if waiting_sent
            else None,
        ),
        by_reason=by_reason,
    )
