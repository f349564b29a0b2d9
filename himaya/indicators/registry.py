"""Every indicator of indicators.md, defined once: its unit, measure, counting mode, the
disaggregations it offers and the rule that produces its facts from the case tables.

A *fact* is one unit (report, child, case, task, decision...) with the dates that place it in a
period, its territory history and its dimensions. `aggregates.py` turns facts into cells for
every period and territory; nothing else counts. The rules read the domain models (cases,
children, accounts) in a few set-based queries each; no domain imports this module.

An indicator that needs data Himaya does not record is registered with `pending` set: it is
listed, documented and refused by the API with a clear message, never shown as zero (none is,
since JI02 reads the CAPE's reception date of each decision).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils.translation import gettext_lazy as _

from himaya.indicators.periods import TZ

# --- dimensions ---------------------------------------------------------------------------------

CHANNEL_GROUPS = {
    "onde_2511_line": "2511",
    "onde_2511_portal": "2511",
    "school_cell": "school",
    "health_unit": "health",
    "police_cell": "police_gendarmerie",
    "gendarmerie_cell": "police_gendarmerie",
    "prosecutor_cell": "parquet",
    "upe_association": "upe_association",
    "samu_social": "samu_social",
    "cape_walk_in": "self_family",
}
OC04_EXCLUDED = ("duplicate", "death", "transferred_out", "moved_abroad", "reached_majority")
FACE_TO_FACE = ("home_visit", "office_visit", "school_visit", "placement_visit")
CLOSURE_EXCLUDED = (
    "duplicate",
    "no_protection_concern",
    "death",
    "transferred_out",
    "moved_abroad",
)


@dataclass(frozen=True)
class Dimension:
    name: str
    label: object
    values: Callable[[], list[str]]  # every value, so that an empty cell shows 0, not nothing


def _code_values(list_name: str, extra: tuple[str, ...] = ()) -> Callable[[], list[str]]:
    def values() -> list[str]:
        from himaya.core import codes

        found = [e.code for e in codes.entries(list_name, include_retired=True)]
        return found + [v for v in extra if v not in found]

    return values


def _fixed(*values: str) -> Callable[[], list[str]]:
    return lambda: list(values)


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("sex", _("sex"), _fixed("male", "female", "unknown")),
        Dimension("age_band", _("age band"), _fixed("0_5", "6_11", "12_15", "16_17", "unknown")),
        Dimension(
            "nationality",
            _("nationality group"),
            _fixed("moroccan", "foreign", "stateless", "unknown"),
        ),
        Dimension("migrant_status", _("migrant status"), _code_values("migrant_status")),
        Dimension("disability", _("disability"), _fixed("yes", "no", "unknown")),
        Dimension("concern", _("concern category"), _code_values("concern_category", ("none",))),
        Dimension(
            "channel",
            _("channel"),
            _fixed(
                "2511",
                "school",
                "health",
                "police_gendarmerie",
                "parquet",
                "upe_association",
                "samu_social",
                "self_family",
                "other",
            ),
        ),
        Dimension("reporter_type", _("reporter type"), _code_values("reporter_type")),
        Dimension("level", _("level"), _fixed("0", "1", "2", "3")),
        Dimension("org_type", _("organisation type"), _fixed("cape", "upe", "other")),
        Dimension(
            "task_type",
            _("task type"),
            _fixed("report_to_prosecutor", "judicial_protection_request"),
        ),
        Dimension("waiver_reason", _("waiver reason"), _code_values("waiver_reason", ("none",))),
        Dimension("measure_type", _("measure type"), _code_values("judicial_measure_type")),
        Dimension("closure_reason", _("closure reason"), _code_values("closure_reason")),
        Dimension(
            "record_type",
            _("record type"),
            _fixed("assessment", "case_plan", "closure", "placement_review"),
        ),
        Dimension("provider_type", _("provider organisation type"), _code_values("org_type")),
        Dimension("service", _("service type"), _code_values("service_type")),
        Dimension(
            "refusal_reason",
            _("refusal reason"),
            _code_values("referral_refusal_reason", ("none",)),
        ),
        Dimension("care_type", _("type of care"), _fixed("eps", "cpe")),
    )
}
STANDARD = ("sex", "age_band", "nationality", "migrant_status", "disability", "concern")


def nationality_group(code: str) -> str:
    if code in ("", "unknown"):
        return "unknown"
    if code == "stateless":
        return "stateless"
    return "moroccan" if code == "MA" else "foreign"


def plausible_birth_date(birth: date | None, precision: str) -> date | None:
    """The latest plausible birth date of an estimated one (circuit.md §8.1)."""
    if birth is None:
        return None
    if precision in ("year", "estimated"):
        return date(birth.year, 12, 31)
    if precision == "month":
        following = date(birth.year + (birth.month == 12), birth.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return birth


def age_band(birth: date | None, on: date) -> str:
    if birth is None:
        return "unknown"
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if age < 0 or age > 17:
        return "unknown"
    return "0_5" if age <= 5 else "6_11" if age <= 11 else "12_15" if age <= 15 else "16_17"


# --- facts and indicators -----------------------------------------------------------------------


@dataclass
class Fact:
    """One unit counted by an indicator.

    `at` places it in a period (flow and deadline indicators); `start`/`end` are the interval
    of a stock or overlap indicator. `province` is the territory now; `moves` the accepted
    transfers as (decided_at, from_province), so the territory on any date is known.
    `num` says whether the unit is in the numerator of a proportion; `value` feeds medians.
    Dimension values may be tuples (multi-valued: any concern)."""

    unit: object
    province: str
    dims: dict[str, object] = field(default_factory=dict)
    at: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None
    birth: date | None = None
    moves: tuple = ()
    num: bool = True
    value: float | None = None

    def province_on(self, moment: datetime) -> str:
        for decided_at, from_province in self.moves:
            if decided_at > moment:
                return from_province
        return self.province


@dataclass(frozen=True)
class Indicator:
    code: str
    name: object
    unit: str  # report, child, case, task, decision, structure
    measure: str  # count, proportion, median, mean, rate
    mode: str  # event (date in period), stock (true at the period's end), overlap
    group: str  # inputs, timeliness, quality, judicial, outcomes, gaps, programme
    dims: tuple[str, ...] = ()
    facts: Callable[[], Iterable[Fact]] | None = None
    pending: str = ""  # why it cannot be computed in this build (which app it awaits)
    suppressed: bool = True  # Part B figures contain no child data (§1.6)
    # A unit with several facts in a cell is in the numerator if any / all of them are.
    combine: str = "any"
    # A stock median of the time so far: a fact's value is the days from its start to the
    # reference date of each period (OC05 b), not a fixed number.
    elapsed: bool = False
    note: object = ""

    @property
    def breakdowns(self) -> list[str]:
        """The disaggregations stored: total, each dimension, and sex × age band."""
        found = ["", *self.dims]
        if "sex" in self.dims and "age_band" in self.dims:
            found.append("sex,age_band")
        return found

    @property
    def computed(self) -> bool:
        return self.facts is not None and not self.pending


# --- shared loaders -----------------------------------------------------------------------------


def _survivors() -> dict:
    """Child tombstones (`merged_into` set) → the surviving child at the end of the chain: a
    merged child's records count once, under the survivor (§1.3)."""
    from himaya.children.models import Child

    direct = dict(
        Child.objects.filter(merged_into__isnull=False).values_list("id", "merged_into_id")
    )
    found = {}
    for tombstone in direct:
        survivor, seen = direct[tombstone], {tombstone}
        while survivor in direct and survivor not in seen:
            seen.add(survivor)
            survivor = direct[survivor]
        found[tombstone] = survivor
    return found


def _children(ids: Iterable, survivors: dict | None = None) -> dict:
    """The dimensions of each child, keyed by the id asked for; a tombstone gets its
    survivor's (the record that counts)."""
    from himaya.children.models import Child

    survivors = _survivors() if survivors is None else survivors
    asked = set(ids)
    wanted = {survivors.get(i, i) for i in asked}
    rows = Child.objects.filter(id__in=wanted).values_list(
        "id", "sex", "birth_date", "birth_date_precision", "nationality", "migrant_status",
        "disability",
    )  # fmt: skip
    found = {
        row[0]: {
            "birth": plausible_birth_date(row[2], row[3]),
            "sex": row[1] if row[1] in ("male", "female") else "unknown",
            "nationality": nationality_group(row[4]),
            "migrant_status": row[5] or "unknown",
            "disability": row[6] if row[6] in ("yes", "no") else "unknown",
        }
        for row in _chunked_values(rows)
    }
    return {i: found[survivors.get(i, i)] for i in asked if survivors.get(i, i) in found}


def _chunked_values(queryset):
    return queryset.iterator(chunk_size=5000)


def _moves() -> dict:
    """Accepted transfers per case, oldest first: the territory history of every case."""
    from himaya.cases.models import Transfer

    moves = defaultdict(list)
    rows = Transfer.objects.filter(status="accepted", decided_at__isnull=False).order_by(
        "decided_at"
    )
    for case_id, decided_at, from_province in rows.values_list(
        "case_id", "decided_at", "from_province_id"
    ):
        moves[case_id].append((decided_at, from_province))
    return {k: tuple(v) for k, v in moves.items()}


def _case_concerns() -> dict:
    from himaya.cases.models import CaseConcern

    found = defaultdict(set)
    for case_id, category in CaseConcern.objects.values_list("case_id", "category").iterator(
        chunk_size=5000
    ):
        found[case_id].add(category)
    return found


def _case_rows(*extra: str, queryset=None):
    """Cases with what every case indicator needs, excluding duplicate closures (§1.3)."""
    from himaya.cases.models import Case

    qs = queryset if queryset is not None else Case.objects.all()
    qs = qs.exclude(closure_reason="duplicate")
    fields = ("id", "child_id", "province_id", "opened_at", "closed_at", "t0", "triage_level",
              "risk_level", "organisation__type", *extra)  # fmt: skip
    return [dict(zip(fields, row, strict=True)) for row in qs.values_list(*fields).iterator(2000)]


class _CaseContext:
    """Children, concerns and transfers of all cases, loaded once per indicator run."""

    def __init__(self, rows: list[dict]):
        self.survivors = _survivors()
        self.children = _children((row["child_id"] for row in rows), self.survivors)
        self.concerns = _case_concerns()
        self.moves = _moves()

    def fact(self, row: dict, **kwargs) -> Fact:
        child = self.children.get(row["child_id"], {})
        dims = {
            "sex": child.get("sex", "unknown"),
            "nationality": child.get("nationality", "unknown"),
            "migrant_status": child.get("migrant_status", "unknown"),
            "disability": child.get("disability", "unknown"),
            "concern": tuple(sorted(self.concerns.get(row["id"], ()))) or ("none",),
            "level": str(row["risk_level"]),
            "org_type": row["organisation__type"]
            if row["organisation__type"] in ("cape", "upe")
            else "other",
        }
        dims.update(kwargs.pop("dims", {}))
        kwargs.setdefault("unit", row["id"])
        return Fact(
            province=row["province_id"],
            dims=dims,
            birth=child.get("birth"),
            moves=self.moves.get(row["id"], ()),
            **kwargs,
        )


# --- Part A: inputs and coverage ------------------------------------------------------------------


def _report_concerns(codes: list) -> tuple[str, ...]:
    found = {str(code).split(".")[0] for code in codes or ()}
    return tuple(sorted(found)) or ("none",)


def in01_facts() -> Iterator[Fact]:
    """Reports received, whatever their status. (The `no_action`/`duplicate_report` exclusion
    needs the no-action reason, which reports do not record yet.)"""
    from himaya.cases.models import Report

    rows = Report.objects.values_list(
        "id", "province_id", "received_at", "channel", "reporter_type", "concerns"
    )
    for report_id, province, received_at, channel, reporter_type, concerns in rows.iterator(5000):
        yield Fact(
            unit=report_id,
            province=province,
            at=received_at,
            dims={
                "channel": CHANNEL_GROUPS.get(channel, "other"),
                "reporter_type": reporter_type,
                "concern": _report_concerns(concerns),
            },
        )


def in02_facts() -> Iterator[Fact]:
    """Distinct children linked to a report received in the period (through their case)."""
    from himaya.cases.models import Case

    links = Case.reports.through.objects.values_list(
        "case__child_id", "report__province_id", "report__received_at", "report__concerns"
    )
    links = list(links.iterator(5000))
    survivors = _survivors()
    children = _children((row[0] for row in links), survivors)
    for child_id, province, received_at, concerns in links:
        child = children.get(child_id, {})
        yield Fact(
            unit=survivors.get(child_id, child_id),
            province=province,
            at=received_at,
            birth=child.get("birth"),
            dims={
                **{k: v for k, v in child.items() if k != "birth"},
                "concern": _report_concerns(concerns),
            },
        )


def _open_case_facts(unit: str) -> Iterator[Fact]:
    rows = _case_rows()
    ctx = _CaseContext(rows)
    for row in rows:
        yield ctx.fact(
            row,
            unit=ctx.survivors.get(row["child_id"], row["child_id"])
            if unit == "child"
            else row["id"],
            start=row["opened_at"],
            end=row["closed_at"],
        )


def in03_facts() -> Iterator[Fact]:
    return _open_case_facts("child")


def in05_facts() -> Iterator[Fact]:
    """Open cases (numerator) and the active case-manager memberships of the territory
    (denominator, counted even with no case). Membership history is not kept: a membership
    counts from its creation while it is active."""
    from himaya.accounts.models import Membership

    for row in _case_rows():
        yield Fact(unit=("case", row["id"]), province=row["province_id"],
                   start=row["opened_at"], end=row["closed_at"], moves=())  # fmt: skip
    members = Membership.objects.filter(
        role="case_manager", active=True, user__is_active=True
    ).values_list("user_id", "organisation__province_id", "scope_province_id", "created_at")
    for user_id, org_province, scope_province, created_at in members:
        province = org_province or scope_province
        if province:
            yield Fact(unit=("user", user_id), province=province, start=created_at, num=False)


# --- Part A: timeliness -------------------------------------------------------------------------


def _first_seen() -> dict:
    """The first face-to-face contact with the child seen, per case."""
    from himaya.cases.models import FollowUp

    seen: dict = {}
    rows = (
        FollowUp.objects.filter(child_seen=True, kind__in=FACE_TO_FACE)
        .order_by("happened_at")
        .values_list("case_id", "happened_at")
    )
    for case_id, happened_at in rows.iterator(5000):
        seen.setdefault(case_id, happened_at)
    return seen


def _deadline_facts(level: int, hours: int, met: str) -> Iterator[Fact]:
    from himaya.cases.models import Case

    rows = _case_rows("assigned_at", queryset=Case.objects.filter(triage_level=level))
    ctx = _CaseContext(rows)
    seen = _first_seen() if met == "seen" else {}
    for row in rows:
        due = row["t0"] + timedelta(hours=hours)
        done = row["assigned_at"] if met == "assigned" else seen.get(row["id"])
        yield ctx.fact(row, at=due, num=done is not None and done <= due)


def tm01_facts() -> Iterator[Fact]:
    return _deadline_facts(3, 1, "assigned")


def tm02_facts() -> Iterator[Fact]:
    return _deadline_facts(3, 24, "seen")


def tm03_facts() -> Iterator[Fact]:
    return _deadline_facts(2, 72, "seen")


def tm05b_facts() -> Iterator[Fact]:
    """Days from T0 to the first approval of the case plan, placed on the approval date."""
    from himaya.cases.models import Case

    rows = _case_rows(
        "plan_approved_at", queryset=Case.objects.filter(plan_approved_at__isnull=False)
    )
    ctx = _CaseContext(rows)
    for row in rows:
        days = (row["plan_approved_at"] - row["t0"]).total_seconds() / 86400
        yield ctx.fact(row, at=row["plan_approved_at"], value=days)


def _judicial_tasks(kinds: tuple[str, ...]):
    from himaya.cases.models import Case, Task

    tasks = list(
        Task.objects.filter(kind__in=kinds)
        .exclude(case__closure_reason="duplicate")
        .values_list("id", "case_id", "kind", "status", "created_at", "waiver_reason")
    )
    rows = _case_rows(queryset=Case.objects.filter(id__in={t[1] for t in tasks}))
    return tasks, {row["id"]: row for row in rows}, _CaseContext(rows)


def tm06_facts() -> Iterator[Fact]:
    """Reports to the prosecutor made by the end of the (local) day the task was created; a
    report sent earlier, by us or another body, counts as met. Waived tasks are left out."""
    from himaya.cases.models import JudicialReferral

    tasks, cases, ctx = _judicial_tasks(("report_to_prosecutor",))
    first_sent: dict = {}
    for case_id, sent_at in (
        JudicialReferral.objects.filter(referral_type="offence_report")
        .order_by("sent_at")
        .values_list("case_id", "sent_at")
    ):
        first_sent.setdefault(case_id, sent_at)
    for task_id, case_id, _kind, status, created_at, _reason in tasks:
        if status == "waived" or case_id not in cases:
            continue
        day_end = datetime.combine(
            created_at.astimezone(TZ).date() + timedelta(days=1), datetime.min.time(), tzinfo=TZ
        )
        sent = first_sent.get(case_id)
        yield ctx.fact(
            cases[case_id],
            unit=task_id,
            at=created_at,
            num=sent is not None and sent < day_end,
            dims={"concern": ctx.fact(cases[case_id], at=created_at).dims["concern"]},
        )


def tm07_facts() -> Iterator[Fact]:
    tasks, cases, ctx = _judicial_tasks(("report_to_prosecutor", "judicial_protection_request"))
    for task_id, case_id, kind, status, created_at, reason in tasks:
        if case_id not in cases:
            continue
        yield ctx.fact(
            cases[case_id],
            unit=task_id,
            at=created_at,
            num=status == "waived",
            dims={"task_type": kind, "waiver_reason": reason or "none"},
        )


def ov01_facts() -> Iterator[Fact]:
    """Tasks overdue on the reference date: open past their due date (a task done, waived or
    cancelled stops being overdue at that moment)."""
    from himaya.cases.models import Case, Task

    tasks = list(
        Task.objects.exclude(case__closure_reason="duplicate").values_list(
            "id", "case_id", "status", "due_at", "done_at", "updated_at"
        )
    )
    rows = _case_rows(queryset=Case.objects.filter(id__in={t[1] for t in tasks}))
    cases = {row["id"]: row for row in rows}
    ctx = _CaseContext(rows)
    for task_id, case_id, status, due_at, done_at, updated_at in tasks:
        end = None if status == "open" else (done_at or updated_at)
        if case_id in cases and (end is None or end > due_at):
            yield ctx.fact(cases[case_id], unit=task_id, start=due_at, end=end)


# --- Part A: process quality ----------------------------------------------------------------------


def pq01_facts() -> Iterator[Fact]:
    """Open cases of level ≥ 1 whose case plan was due: the fact starts on the plan's due date
    (the case-plan task) and is in the numerator from the plan's approval on. A stock fact is
    emitted twice around the approval so the state on any reference date is exact."""
    from himaya.cases.models import Case, Task

    due = dict(
        Task.objects.filter(kind="case_plan")
        .order_by("case_id", "due_at")
        .values_list("case_id", "due_at")
    )
    rows = _case_rows("plan_approved_at", queryset=Case.objects.filter(risk_level__gte=1))
    ctx = _CaseContext(rows)
    for row in rows:
        due_at = due.get(row["id"])
        if due_at is None:
            continue
        approved = row["plan_approved_at"]
        if approved is None or approved > due_at:
            # not approved when first due: out of the numerator until the approval
            yield ctx.fact(row, start=due_at, end=_earliest(approved, row["closed_at"]), num=False)
            if approved is not None:
                yield ctx.fact(row, start=approved, end=row["closed_at"], num=True)
        else:
            yield ctx.fact(row, start=due_at, end=row["closed_at"], num=True)


def _earliest(*values):
    present = [v for v in values if v is not None]
    return min(present) if present else None


def pq03_facts() -> Iterator[Fact]:
    """Follow-up due dates in the period (the case's follow-up tasks): a case is met when
    every follow-up due in the period was done on or before its due date."""
    from himaya.cases.models import Case, Task

    tasks = list(
        Task.objects.filter(kind="follow_up")
        .exclude(status="cancelled")
        .values_list("case_id", "due_at", "done_at")
    )
    rows = _case_rows(queryset=Case.objects.filter(id__in={t[0] for t in tasks}))
    cases = {row["id"]: row for row in rows}
    ctx = _CaseContext(rows)
    for case_id, due_at, done_at in tasks:
        if case_id in cases:
            # `num=False` on any miss; aggregates treat a unit as met only if all its facts are
            yield ctx.fact(cases[case_id], at=due_at, num=done_at is not None and done_at <= due_at)


def pq06_facts() -> Iterator[Fact]:
    """The child's views documented, per record type: full assessments completed, first
    case-plan approvals, approved closures and placement reviews done in the period; in the
    numerator when the views themselves are recorded (a reason they could not be obtained is
    not "views recorded")."""
    from himaya.assessment.models import Assessment
    from himaya.placements.models import PlacementReview

    rows = _case_rows("plan_approved_at", "plan_child_views", "closure")
    ctx = _CaseContext(rows)
    cases = {row["id"]: row for row in rows}
    for pk, case_id, completed_at, views in Assessment.objects.filter(
        kind="full", completed_at__isnull=False
    ).values_list("id", "case_id", "completed_at", "child_views"):
        if case_id in cases:
            yield ctx.fact(
                cases[case_id], unit=("assessment", pk), at=completed_at,
                num=bool(views.strip()), dims={"record_type": "assessment"},
            )  # fmt: skip
    for pk, case_id, reviewed_on, views in PlacementReview.objects.values_list(
        "id", "arrangement__case_id", "reviewed_on", "child_views"
    ):
        if case_id in cases:
            yield ctx.fact(
                cases[case_id], unit=("review", pk), at=_noon(reviewed_on),
                num=bool(views.strip()), dims={"record_type": "placement_review"},
            )  # fmt: skip
    for row in rows:
        if row["plan_approved_at"]:
            yield ctx.fact(
                row,
                unit=("plan", row["id"]),
                at=row["plan_approved_at"],
                num=bool(row["plan_child_views"].strip()),
                dims={"record_type": "case_plan"},
            )
        if row["closed_at"]:
            views = (row["closure"] or {}).get("child_views", "")
            yield ctx.fact(
                row,
                unit=("closure", row["id"]),
                at=row["closed_at"],
                num=bool(str(views).strip()),
                dims={"record_type": "closure"},
            )


# --- Part A: judicial and outcomes ----------------------------------------------------------------


def ji01_facts() -> Iterator[Fact]:
    from himaya.cases.models import Case, JudicialMeasure

    measures = list(
        JudicialMeasure.objects.exclude(case__closure_reason="duplicate").values_list(
            "id", "case_id", "measure_type", "decided_at"
        )
    )
    rows = _case_rows(queryset=Case.objects.filter(id__in={m[1] for m in measures}))
    cases = {row["id"]: row for row in rows}
    ctx = _CaseContext(rows)
    for measure_id, case_id, measure_type, decided_on in measures:
        at = datetime.combine(decided_on, datetime.min.time().replace(hour=12), tzinfo=TZ)
        yield ctx.fact(cases[case_id], unit=measure_id, at=at, dims={"measure_type": measure_type})


def ji02_facts() -> Iterator[Fact]:
    """Decisions taken in the period (placed on their date); met when the CAPE's reception
    date is recorded no later than the decision date + 30 days. `value` is the delay in days
    (JI02B's median), set only when the reception date is recorded."""
    from himaya.cases.models import Case, JudicialMeasure

    measures = list(
        JudicialMeasure.objects.exclude(case__closure_reason="duplicate").values_list(
            "id", "case_id", "measure_type", "decided_at", "received_on"
        )
    )
    rows = _case_rows(queryset=Case.objects.filter(id__in={m[1] for m in measures}))
    cases = {row["id"]: row for row in rows}
    ctx = _CaseContext(rows)
    for measure_id, case_id, measure_type, decided_on, received_on in measures:
        delay = (received_on - decided_on).days if received_on else None
        yield ctx.fact(
            cases[case_id], unit=measure_id, at=_noon(decided_on),
            num=delay is not None and delay <= 30, value=delay,
            dims={"measure_type": measure_type},
        )  # fmt: skip


def _closures(excluded: tuple[str, ...] = CLOSURE_EXCLUDED):
    from himaya.cases.models import Case

    rows = _case_rows(
        "closure_reason", "closure",
        queryset=Case.objects.filter(closed_at__isnull=False).exclude(closure_reason__in=excluded),
    )  # fmt: skip
    return rows, _CaseContext(rows)


def oc01_facts() -> Iterator[Fact]:
    rows, ctx = _closures()
    for row in rows:
        outcome = (row["closure"] or {}).get("goals_outcome", "")
        yield ctx.fact(
            row, at=row["closed_at"], num=outcome == "achieved",
            dims={"closure_reason": row["closure_reason"]},
        )  # fmt: skip


def oc02_facts() -> Iterator[Fact]:
    """Closures of children who lived outside their family during the case: outside it at
    opening, or with a care arrangement of type eps, cpe, emergency shelter or foster."""
    from himaya.placements.models import CareArrangement

    rows, ctx = _closures()
    placed = set(
        CareArrangement.objects.filter(care_type__in=OUTSIDE_FAMILY).values_list(
            "case_id", flat=True
        )
    )
    for row in rows:
        closure = row["closure"] or {}
        before = closure.get("living_situation_at_opening", "unknown")
        if before in ("family", "kinship", "kafala", "unknown", "") and row["id"] not in placed:
            continue
        after = closure.get("living_situation", "")
        yield ctx.fact(row, at=row["closed_at"], num=after in ("family", "kinship"))


def oc03_facts() -> Iterator[Fact]:
    rows, ctx = _closures()
    for row in rows:
        closure = row["closure"] or {}
        if closure.get("education_status_at_opening") not in ("dropped_out", "never_enrolled"):
            continue
        fact = ctx.fact(row, at=row["closed_at"])
        if age_band(fact.birth, row["closed_at"].astimezone(TZ).date()) not in (
            "6_11", "12_15", "16_17",
        ):  # fmt: skip
            continue
        fact.num = closure.get("education_status", "") in (
            "enrolled_school", "enrolled_nonformal", "enrolled_vocational",
        )  # fmt: skip
        yield fact


def _oc04(window_days: int) -> Callable[[], Iterator[Fact]]:
    def facts() -> Iterator[Fact]:
        """Closures followed by a new report on the same child within the window. The cohort
        is placed on the closure date; it is emitted only once the window has passed."""
        from django.utils import timezone

        from himaya.cases.models import Case

        now = timezone.now()
        rows, ctx = _closures(OC04_EXCLUDED)
        reports = defaultdict(list)
        for child_id, received_at in Case.reports.through.objects.values_list(
            "case__child_id", "report__received_at"
        ).iterator(5000):
            reports[child_id].append(received_at)
        for row in rows:
            closed = row["closed_at"]
            window_end = closed + timedelta(days=window_days)
            if window_end > now:
                continue
            fact = ctx.fact(row, at=closed)
            if fact.birth is not None and _turns_18_before(fact.birth, window_end):
                continue
            fact.num = any(closed < r <= window_end for r in reports.get(row["child_id"], ()))
            yield fact

    return facts


def _turns_18_before(birth: date, moment: datetime) -> bool:
    try:
        eighteen = birth.replace(year=birth.year + 18)
    except ValueError:  # 29 February
        eighteen = date(birth.year + 18, 3, 1)
    return eighteen <= moment.astimezone(TZ).date()


# --- Part A: assessments, referrals, care arrangements, supervised liberty -----------------------
# These rules read the tables of the assessment, referrals and placements apps; none of those
# apps imports this module.

RESIDENTIAL = ("eps", "cpe", "emergency_shelter")
FAMILY_BASED = ("kinship", "kafala", "foster")
OUTSIDE_FAMILY = (*RESIDENTIAL, "foster")  # OC02: a case with such an arrangement
RESPONSES = ("accepted", "refused", "service_unavailable", "completed")
DECLINED = ("refused", "service_unavailable")


def _noon(day: date) -> datetime:
    """A date placed in a period: midday local time, never on the day's edge."""
    return datetime.combine(day, datetime.min.time().replace(hour=12), tzinfo=TZ)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=TZ)


def _deadline_tasks(kind: str):
    """The tasks of `kind` that set a deadline: cancelled ones are left out, and so are those
    the case services create already done when an assessment came before any task asked for
    it (`due_at` = `done_at`: no deadline was ever set)."""
    from django.db.models import F

    from himaya.cases.models import Task

    return (
        Task.objects.filter(kind=kind)
        .exclude(status="cancelled")
        .exclude(done_at__isnull=False, due_at=F("done_at"))
    )


def _first_due(kind: str) -> dict:
    """The earliest due date of the case's deadline task of `kind`."""
    due: dict = {}
    for case_id, due_at in (
        _deadline_tasks(kind).order_by("due_at").values_list("case_id", "due_at")
    ):
        due.setdefault(case_id, due_at)
    return due


def _first_full_assessment() -> dict:
    from himaya.assessment.models import Assessment

    done: dict = {}
    for case_id, completed_at in (
        Assessment.objects.filter(kind="full")
        .order_by("completed_at")
        .values_list("case_id", "completed_at")
    ):
        done.setdefault(case_id, completed_at)
    return done


def tm04_facts() -> Iterator[Fact]:
    """Cases whose full-assessment due date (the first `full_assessment` task, set from T0 by
    triage level) falls in the period, minus those closed for an administrative reason before
    it; met when a `full` assessment was completed at or before it. Level: triage level."""
    from himaya.cases.models import Case

    due = _first_due("full_assessment")
    done = _first_full_assessment()
    rows = _case_rows("closure_reason", queryset=Case.objects.filter(id__in=list(due)))
    ctx = _CaseContext(rows)
    for row in rows:
        due_at = due[row["id"]]
        closed = row["closed_at"]
        if closed is not None and closed < due_at and row["closure_reason"] in CLOSURE_EXCLUDED:
            continue
        finished = done.get(row["id"])
        yield ctx.fact(
            row, at=due_at, num=finished is not None and finished <= due_at,
            dims={"level": str(row["triage_level"])},
        )  # fmt: skip


def tm05a_facts() -> Iterator[Fact]:
    """Days from T0 to the completion of the first full assessment, placed on that date."""
    from himaya.cases.models import Case

    done = _first_full_assessment()
    rows = _case_rows(queryset=Case.objects.filter(id__in=list(done)))
    ctx = _CaseContext(rows)
    for row in rows:
        finished = done[row["id"]]
        yield ctx.fact(
            row, at=finished, value=(finished - row["t0"]).total_seconds() / 86400,
            dims={"level": str(row["triage_level"])},
        )  # fmt: skip


def pq04_facts() -> Iterator[Fact]:
    """Reassessment tasks (interval or trigger) due in the period (see `_deadline_tasks`);
    met when the task was closed on or before its due date by an assessment of kind
    `reassessment` or `closing` (the assessment service closes the task as it records it:
    the assessment's completion is within a minute before the task's `done_at`)."""
    from himaya.assessment.models import Assessment
    from himaya.cases.models import Case

    tasks = list(_deadline_tasks("reassessment").values_list("id", "case_id", "due_at", "done_at"))
    completions = defaultdict(list)
    for case_id, completed_at in Assessment.objects.filter(
        kind__in=("reassessment", "closing")
    ).values_list("case_id", "completed_at"):
        completions[case_id].append(completed_at)
    rows = _case_rows(queryset=Case.objects.filter(id__in={t[1] for t in tasks}))
    cases = {row["id"]: row for row in rows}
    ctx = _CaseContext(rows)
    for task_id, case_id, due_at, done_at in tasks:
        if case_id not in cases:
            continue
        met = (
            done_at is not None
            and done_at <= due_at
            and any(done_at - timedelta(minutes=1) <= c <= done_at for c in completions[case_id])
        )
        yield ctx.fact(cases[case_id], unit=task_id, at=due_at, num=met)


def _pq05(measure: str) -> Callable[[], Iterator[Fact]]:
    def facts() -> Iterator[Fact]:
        """Assessments with Tier B (full, reassessment, closing) completed in the period:
        (a) raised by the assessor; (b) a lowering requested. (c) Lowering requests decided
        by a supervisor in the period (placed on the decision), approved ones in the
        numerator. Level: the computed level."""
        from himaya.assessment.models import Assessment
        from himaya.cases.models import Case

        found = Assessment.objects.filter(kind__in=("full", "reassessment", "closing"))
        if measure == "c":
            found = found.filter(override_status__in=("approved", "rejected"))
        assessments = list(
            found.values_list(
                "id", "case_id", "completed_at", "approved_at", "override_direction",
                "override_status", "level_computed",
            )
        )  # fmt: skip
        rows = _case_rows(queryset=Case.objects.filter(id__in={a[1] for a in assessments}))
        cases = {row["id"]: row for row in rows}
        ctx = _CaseContext(rows)
        for pk, case_id, completed, decided, direction, status, computed in assessments:
            if case_id not in cases or (measure == "c" and decided is None):
                continue
            num = {"a": direction == "up", "b": direction == "down", "c": status == "approved"}
            yield ctx.fact(
                cases[case_id], unit=pk, at=decided if measure == "c" else completed,
                num=num[measure], dims={"level": str(computed)},
            )  # fmt: skip

    return facts


def _referrals():
    from himaya.cases.models import Case
    from himaya.referrals.models import Referral

    referrals = list(
        Referral.objects.values_list(
            "id", "case_id", "service", "status", "sent_at", "responded_at", "completed_at",
            "cancelled_at", "refusal_reason", "provider_organisation__type",
        )
    )  # fmt: skip
    rows = _case_rows(queryset=Case.objects.filter(id__in={r[1] for r in referrals}))
    return referrals, {row["id"]: row for row in rows}, _CaseContext(rows)


def pq02_facts() -> Iterator[Fact]:
    """Referrals whose feedback is due (sent + 30 days) in the period, minus those the sender
    cancelled before that date; met when the provider's first response (accepted, refused,
    service unavailable or completed) was recorded at or before it. Territory: the case's."""
    referrals, cases, ctx = _referrals()
    for pk, case_id, service, _status, sent, responded, completed, cancelled, _r, kind in referrals:
        if case_id not in cases:
            continue
        due = sent + timedelta(days=30)
        if cancelled is not None and cancelled < due:
            continue
        first = _earliest(responded, completed)
        yield ctx.fact(
            cases[case_id], unit=pk, at=due, num=first is not None and first <= due,
            dims={"service": service, "provider_type": kind or "other"},
        )  # fmt: skip


def sg01_facts() -> Iterator[Fact]:
    """Referrals sent in the period, minus the cancelled ones; refused or service unavailable
    in the numerator."""
    referrals, cases, ctx = _referrals()
    for pk, case_id, service, status, sent, _resp, _done, _cancelled, reason, kind in referrals:
        if case_id not in cases or status == "cancelled":
            continue
        yield ctx.fact(
            cases[case_id], unit=pk, at=sent, num=status in DECLINED,
            dims={"service": service, "refusal_reason": reason or "none",
                  "provider_type": kind or "other"},
        )  # fmt: skip


def _arrangements(**filters):
    from himaya.cases.models import Case
    from himaya.placements.models import CareArrangement

    arrangements = list(
        CareArrangement.objects.filter(**filters).values_list(
            "id", "case_id", "care_type", "start_date", "end_date"
        )
    )
    rows = _case_rows(queryset=Case.objects.filter(id__in={a[1] for a in arrangements}))
    return arrangements, {row["id"]: row for row in rows}, _CaseContext(rows)


def _oc05(care_types: tuple[str, ...]) -> Callable[[], Iterator[Fact]]:
    def facts() -> Iterator[Fact]:
        """Days from start to end of the arrangements of `care_types` that ended in the
        period, placed on their end date: (a) EPS and CPE, (c) emergency shelters."""
        arrangements, cases, ctx = _arrangements(care_type__in=care_types, end_date__isnull=False)
        for pk, case_id, care_type, start, end in arrangements:
            if case_id in cases:
                yield ctx.fact(
                    cases[case_id], unit=pk, at=_noon(end), value=(end - start).days,
                    dims={"care_type": care_type},
                )  # fmt: skip

    return facts


def oc05b_facts() -> Iterator[Fact]:
    """(b) EPS and CPE arrangements active on the reference date (from their start date until
    the day they end); the aggregate engine measures each one's days so far on that date."""
    arrangements, cases, ctx = _arrangements(care_type__in=("eps", "cpe"))
    for pk, case_id, care_type, start, end in arrangements:
        if case_id in cases and (end is None or end > start):
            yield ctx.fact(
                cases[case_id], unit=pk, start=_midnight(start),
                end=_midnight(end) if end else None, dims={"care_type": care_type},
            )  # fmt: skip


def _oc06(counted: tuple[str, ...]) -> Callable[[], Iterator[Fact]]:
    def facts() -> Iterator[Fact]:
        """Children with an open case and an active primary arrangement other than `family`
        on the reference date; those in `counted` care in the numerator ((a) family-based:
        kinship, kafala, foster; (b) residential: EPS, CPE, emergency shelter). An arrangement
        is active from its start date until the day it ends, and counts only while its case
        is open."""
        arrangements, cases, ctx = _arrangements(is_primary=True)
        for _pk, case_id, care_type, start, end in arrangements:
            row = cases.get(case_id)
            if row is None or care_type == "family":
                continue
            begins = max(_midnight(start), row["opened_at"])
            ends = _earliest(_midnight(end) if end else None, row["closed_at"])
            if ends is not None and ends <= begins:
                continue
            yield ctx.fact(
                row, unit=ctx.survivors.get(row["child_id"], row["child_id"]), start=begins,
                end=ends, num=care_type in counted,
            )  # fmt: skip

    return facts


def ji03_facts() -> Iterator[Fact]:
    """Expected supervised-liberty reports (the measures' `ls_report` tasks, cancelled ones
    left out) due in the period; met when the report recorded for the task was sent no later
    than the due date + 15 days."""
    from himaya.cases.models import Case, SupervisedLibertyReport, Task

    tasks = list(
        Task.objects.filter(kind="ls_report")
        .exclude(status="cancelled")
        .values_list("id", "case_id", "due_at")
    )
    sent: dict = {}
    for task_id, sent_on in (
        SupervisedLibertyReport.objects.filter(task__isnull=False)
        .order_by("sent_on")
        .values_list("task_id", "sent_on")
    ):
        sent.setdefault(task_id, sent_on)
    rows = _case_rows(queryset=Case.objects.filter(id__in={t[1] for t in tasks}))
    cases = {row["id"]: row for row in rows}
    ctx = _CaseContext(rows)
    for task_id, case_id, due_at in tasks:
        if case_id not in cases:
            continue
        on = sent.get(task_id)
        limit = due_at.astimezone(TZ).date() + timedelta(days=15)
        yield ctx.fact(cases[case_id], unit=task_id, at=due_at, num=on is not None and on <= limit)


# --- Part B: programme ----------------------------------------------------------------------------


def _org_status_facts(org_type: str, status: str) -> Callable[[], Iterator[Fact]]:
    def facts() -> Iterator[Fact]:
        """Organisations of the type whose status is the one counted, from their creation.
        (Status history comes with the steering app; until then the current status is used.)"""
        from himaya.accounts.models import Organisation

        for org_id, province, created_at in Organisation.objects.filter(
            type=org_type, status=status, active=True, province__isnull=False
        ).values_list("id", "province_id", "created_at"):
            yield Fact(unit=org_id, province=province, start=created_at)

    return facts


def pg12_facts() -> Iterator[Fact]:
    """(a) Operational CAPE and UPE with at least one case action in the last 30 days before
    the reference date, out of the operational CAPE and UPE (stock on each action's window)."""
    from himaya.accounts.models import Organisation
    from himaya.cases.models import CaseEvent

    orgs = dict(
        Organisation.objects.filter(
            type__in=("cape", "upe"), status="operational", active=True, province__isnull=False
        ).values_list("id", "province_id")
    )
    for org_id, province in orgs.items():
        yield Fact(unit=org_id, province=province, start=datetime(2000, 1, 1, tzinfo=TZ), num=False)
    days = set()
    for org_id, at in (
        CaseEvent.objects.filter(case__organisation_id__in=orgs)
        .values_list("case__organisation_id", "at")
        .iterator(5000)
    ):
        days.add((org_id, at.astimezone(TZ).date()))
    for org_id, day in days:
        start = datetime.combine(day, datetime.min.time(), tzinfo=TZ)
        yield Fact(unit=org_id, province=orgs[org_id], start=start, end=start + timedelta(days=31))


def _programme_record_facts(code: str) -> Callable[[], Iterator[Fact]]:
    def facts() -> Iterator[Fact]:
        """The administrator's dated records: on a reference date, the latest record of each
        territory on or before it gives the territory's value (a record is valid until the
        next one)."""
        from himaya.indicators.models import ProgrammeRecord

        history = defaultdict(list)
        for province, day, value in (
            ProgrammeRecord.objects.filter(indicator=code, province__isnull=False)
            .order_by("reference_date", "created_at")
            .values_list("province_id", "reference_date", "value")
        ):
            history[province].append((day, value))
        for province, entries in history.items():
            for index, (day, value) in enumerate(entries):
                start = datetime.combine(day, datetime.min.time(), tzinfo=TZ)
                following = entries[index + 1][0] if index + 1 < len(entries) else None
                end = (
                    datetime.combine(following, datetime.min.time(), tzinfo=TZ)
                    if following
                    else None
                )
                yield Fact(
                    unit=(province, day), province=province, start=start, end=end, value=value
                )

    return facts


# --- the registry ---------------------------------------------------------------------------------

I = Indicator  # noqa: E741 (a table reads better with a short name)
CASE_DIMS = (*STANDARD, "level")

INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        I("IN01", _("New reports received"), "report", "count", "event", "inputs",
          ("channel", "reporter_type", "concern"), in01_facts),
        I("IN02", _("Children newly reported"), "child", "count", "event", "inputs",
          STANDARD, in02_facts),
        I("IN03", _("Children with an open case per 10,000 children"), "child", "rate", "stock",
          "inputs", CASE_DIMS, in03_facts,
          note=_("Estimated denominator: population 2024 × national child share 0.31.")),
        I("IN04", _("Children served during the period"), "child", "count", "overlap", "inputs",
          (*CASE_DIMS, "org_type"), lambda: _open_case_facts("child")),
        I("IN05", _("Caseload per case manager (mean)"), "case", "mean", "stock", "inputs",
          (), in05_facts),
        I("TM01", _("Level-3 cases assigned within 1 hour"), "case", "proportion", "event",
          "timeliness", CASE_DIMS, tm01_facts),
        I("TM02", _("Level-3 cases seen within 24 hours"), "case", "proportion", "event",
          "timeliness", CASE_DIMS, tm02_facts),
        I("TM03", _("Level-2 cases seen within 72 hours"), "case", "proportion", "event",
          "timeliness", CASE_DIMS, tm03_facts),
        I("OV01", _("Tasks overdue (work past its deadline)"), "task", "count", "stock",
          "timeliness", ("level",), ov01_facts,
          note=_("Added for the overdue-work dashboard: open tasks past their due date.")),
        I("TM04", _("Full assessments completed within the deadline"), "case", "proportion",
          "event", "timeliness", ("level", "org_type"), tm04_facts),
        I("TM05A", _("Median days from report to first full assessment"), "case", "median",
          "event", "timeliness", ("level",), tm05a_facts),
        I("TM05B", _("Median days from report to first case-plan approval"), "case", "median",
          "event", "timeliness", ("level",), tm05b_facts),
        I("TM06", _("Reports to the parquet made the same day"), "task", "proportion", "event",
          "timeliness", ("concern",), tm06_facts),
        I("TM07", _("Waivers of mandatory judicial tasks"), "task", "proportion", "event",
          "timeliness", ("task_type", "waiver_reason"), tm07_facts),
        I("PQ01", _("Cases with a case plan"), "case", "proportion", "stock", "quality",
          ("level",), pq01_facts),
        I("PQ02", _("Referrals with feedback within 30 days"), "referral", "proportion", "event",
          "quality", ("service", "provider_type"), pq02_facts),
        I("PQ03", _("Cases followed up at the required frequency"), "case", "proportion",
          "event", "quality", ("level",), pq03_facts, combine="all"),
        I("PQ04", _("Reassessments on time"), "task", "proportion", "event", "quality", (),
          pq04_facts),
        I("PQ05", _("Overrides of the computed level"), "assessment", "proportion", "event",
          "quality", ("level",), _pq05("a"),
          note=_("(a) Assessments whose level the assessor raised; the level is the computed one.")),
        I("PQ05B", _("Lowerings of the computed level requested"), "assessment", "proportion",
          "event", "quality", ("level",), _pq05("b"), note=_("PQ05 (b).")),
        I("PQ05C", _("Lowering requests approved by a supervisor"), "assessment", "proportion",
          "event", "quality", ("level",), _pq05("c"),
          note=_("PQ05 (c): requests decided in the period, placed on the decision.")),
        I("PQ06", _("Child's views documented"), "record", "proportion", "event", "quality",
          ("record_type", "age_band"), pq06_facts),
        I("JI01", _("Judicial measures by type"), "decision", "count", "event", "judicial",
          ("measure_type", "sex", "age_band"), ji01_facts),
        I("JI02", _("Judicial measures transmitted to the CAPE within 30 days"), "decision",
          "proportion", "event", "judicial", ("measure_type",), ji02_facts,
          note=_("Decisions of the period received by the CAPE within 30 days of their date; "
                 "final 30 days after the period ends.")),
        I("JI02B", _("Median days from judicial decision to its reception by the CAPE"),
          "decision", "median", "event", "judicial", ("measure_type",), ji02_facts,
          note=_("JI02, second figure: decisions of the period whose reception is recorded.")),
        I("JI03", _("Supervised-liberty reports received on time"), "report", "proportion",
          "event", "judicial", (), ji03_facts),
        I("OC01", _("Closed cases with goals achieved"), "case", "proportion", "event",
          "outcomes", (*STANDARD, "closure_reason"), oc01_facts),
        I("OC02", _("Children reintegrated in their family"), "case", "proportion", "event",
          "outcomes", STANDARD, oc02_facts),
        I("OC03", _("Children re-enrolled in school or training"), "case", "proportion", "event",
          "outcomes", STANDARD, oc03_facts),
        I("OC04A", _("Re-report within 6 months after closure"), "case", "proportion", "event",
          "outcomes", STANDARD, _oc04(183)),
        I("OC04B", _("Re-report within 12 months after closure"), "case", "proportion", "event",
          "outcomes", STANDARD, _oc04(365)),
        I("OC05", _("Length of institutional placement"), "care arrangement", "median", "event",
          "outcomes", ("care_type", "sex", "age_band"), _oc05(("eps", "cpe")),
          note=_("(a) Arrangements in an EPS or a CPE ended in the period, in days.")),
        I("OC05B", _("Time so far in institutional placement"), "care arrangement", "median",
          "stock", "outcomes", ("care_type", "sex", "age_band"), oc05b_facts, elapsed=True,
          note=_("OC05 (b): arrangements in an EPS or a CPE active on the reference date, days "
                 "from their start to that date.")),
        I("OC05C", _("Length of stay in emergency shelters"), "care arrangement", "median",
          "event", "outcomes", ("sex", "age_band"), _oc05(("emergency_shelter",)),
          note=_("OC05 (c): emergency-shelter arrangements ended in the period, in days.")),
        I("OC06", _("Children in family-based versus residential care"), "child", "proportion",
          "stock", "outcomes", STANDARD, _oc06(FAMILY_BASED),
          note=_("(a) Family-based (kinship, kafala, foster) out of every primary arrangement "
                 "other than family, for children with an open case.")),
        I("OC06B", _("Children in residential alternative care"), "child", "proportion",
          "stock", "outcomes", STANDARD, _oc06(RESIDENTIAL),
          note=_("OC06 (b): EPS, CPE or emergency shelter, same denominator as OC06.")),
        I("SG01", _("Service gaps (referrals refused or unavailable)"), "referral", "proportion",
          "event", "gaps", ("service", "refusal_reason", "provider_type"), sg01_facts),
        # Part B — not suppressed (no child data)
        I("PG01", _("CPPE created"), "structure", "sum", "stock", "programme", (),
          _programme_record_facts("PG01"), suppressed=False),
        I("PG02", _("CPPE operational"), "structure", "count", "stock", "programme", (),
          _org_status_facts("cppe", "operational"), suppressed=False),
        I("PG03", _("Provincial diagnoses completed"), "structure", "sum", "stock", "programme",
          (), _programme_record_facts("PG03"), suppressed=False),
        I("PG04", _("Provincial action plans adopted"), "structure", "sum", "stock",
          "programme", (), _programme_record_facts("PG04"), suppressed=False),
        I("PG05", _("CAPE operational"), "structure", "count", "stock", "programme", (),
          _org_status_facts("cape", "operational"), suppressed=False),
        I("PG06", _("CAPE being qualified"), "structure", "count", "stock", "programme", (),
          _org_status_facts("cape", "in_qualification"), suppressed=False),
        I("PG07", _("UPE active"), "structure", "count", "stock", "programme", (),
          _org_status_facts("upe", "operational"), suppressed=False),
        I("PG08", _("SAMU social units active"), "structure", "count", "stock", "programme", (),
          _org_status_facts("samu_social", "operational"), suppressed=False),
        I("PG09", _("Training sessions held"), "session", "sum", "stock", "programme", (),
          _programme_record_facts("PG09"), suppressed=False),
        I("PG10", _("Training beneficiaries"), "person", "sum", "stock", "programme", (),
          _programme_record_facts("PG10"), suppressed=False),
        I("PG11", _("Committee territories in production on the information system"),
          "structure", "sum", "stock", "programme", (), _programme_record_facts("PG11"),
          suppressed=False),
        I("PG12", _("Operational CAPE and UPE using the information system (30 days)"),
          "structure", "proportion", "stock", "programme", (), pg12_facts, suppressed=False),
    )
}  # fmt: skip

# Programme indicators kept as administrator records (the others are computed).
RECORDED = ("PG01", "PG03", "PG04", "PG09", "PG10", "PG11")


def get(code: str) -> Indicator | None:
    return INDICATORS.get(code)
