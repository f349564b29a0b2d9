"""Daily escalation of overdue work (circuit.md §5.3, §7.3 R1, R5, R6).

`escalate_overdue` is run once a day by cron (`manage.py escalate_overdue`). For every open
task of an open case whose due time has passed, it works out the escalation level the task has
reached (rules in `data/escalation.yaml`) and notifies the people of every level not yet
notified: the assignee, the supervisors of the case's organisation, the judicial liaisons of
the case's territory. Each task remembers the level notified and the local day of the last
notification, so a second run on the same day notifies nobody twice; rules marked `daily`
(the mandatory report to the prosecutor) notify again once a day until the task is resolved.

Each task is handled in its own transaction under a row lock, with the check repeated after
the lock: two runs at the same time still notify once. Notifications carry no child data
(DP-48): a fixed message, translated when shown, and a link to the case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from himaya.accounts.models import Membership, Notification
from himaya.accounts.permissions import territory_covers
from himaya.audit.services import audit_record
from himaya.cases.models import CaseEvent, Task

RULES_FILE = Path(__file__).parent / "data" / "escalation.yaml"
AUDIENCES = ("assignee", "supervisors", "judicial_liaisons")

# Fixed messages (msgids), translated in the recipient's language when the list is shown.
MESSAGES = {
    "assignee": gettext_noop("A task on one of your cases is overdue."),
    "supervisors": gettext_noop("A task of a case you supervise is overdue."),
    "judicial_liaisons": gettext_noop("A judicial task of a case in your territory is overdue."),
}
JUDICIAL_DAILY_MESSAGE = gettext_noop(
    "A mandatory report to the judicial authority is still overdue."
)


@dataclass(frozen=True)
class Level:
    level: int
    after: timedelta
    notify: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    levels: tuple[Level, ...]
    daily: bool = False

    def reached(self, overdue_by: timedelta) -> int:
        return max((lv.level for lv in self.levels if overdue_by >= lv.after), default=0)

    def audiences(self, above: int, upto: int) -> list[str]:
        """Who is told for the levels in (above, upto], each audience once."""
        found: list[str] = []
        for lv in self.levels:
            if above < lv.level <= upto:
                found += [a for a in lv.notify if a not in found]
        return found


@dataclass(frozen=True)
class Rules:
    default: Rule
    kinds: dict[str, Rule]

    def for_kind(self, kind: str) -> Rule:
        return self.kinds.get(kind, self.default)


_DURATION = re.compile(r"^(\d+)([dh])$")


def _duration(text: str) -> timedelta:
    match = _DURATION.match(str(text).strip())
    if not match:
        raise ValueError(f"escalation.yaml: unknown duration {text!r}")
    number, unit = int(match[1]), match[2]
    return timedelta(days=number) if unit == "d" else timedelta(hours=number)


def _rule(raw: dict, where: str) -> Rule:
    levels = []
    for entry in raw.get("levels") or []:
        unknown = set(entry["notify"]) - set(AUDIENCES)
        if unknown:
            raise ValueError(f"escalation.yaml {where}: unknown audience {sorted(unknown)}")
        levels.append(Level(int(entry["level"]), _duration(entry["after"]), tuple(entry["notify"])))
    if not levels or [lv.level for lv in levels] != sorted({lv.level for lv in levels}):
        raise ValueError(f"escalation.yaml {where}: levels must be distinct and increasing")
    if [lv.after for lv in levels] != sorted(lv.after for lv in levels):
        raise ValueError(f"escalation.yaml {where}: a higher level cannot come sooner")
    return Rule(tuple(levels), bool(raw.get("daily", False)))


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> Rules:
    """The escalation rules (data); the file is refused when a level or audience is wrong."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Rules(
        default=_rule(raw["default"], "default"),
        kinds={kind: _rule(rule, kind) for kind, rule in (raw.get("kinds") or {}).items()},
    )


@dataclass
class EscalationResult:
    tasks: int = 0
    notifications: int = 0


class _Recipients:
    """Supervisors per organisation and judicial liaisons, read once per run."""

    def __init__(self):
        self._supervisors: dict = {}
        self._liaisons: list | None = None

    def supervisors(self, case) -> list[int]:
        key = case.organisation_id
        if key not in self._supervisors:
            self._supervisors[key] = list(
                Membership.objects.filter(
                    organisation_id=key, role="supervisor", active=True, user__is_active=True
                ).select_related("scope_province")
            )
        return [m.user_id for m in self._supervisors[key] if territory_covers(m, case)]

    def liaisons(self, case) -> list[int]:
        if self._liaisons is None:
            self._liaisons = list(
                Membership.objects.filter(
                    role="judicial_liaison", active=True, user__is_active=True
                )
            )
        return [m.user_id for m in self._liaisons if territory_covers(m, case)]

    def of(self, audience: str, task: Task) -> list[int]:
        case = task.case
        if audience == "assignee":
            user_id = task.assignee_id or case.case_manager_id
            return [user_id] if user_id else []
        if audience == "supervisors":
            return self.supervisors(case)
        return self.liaisons(case)


def _candidates(rules: Rules, now: datetime, today: date):
    """Open overdue tasks of open cases that may still owe a notification: never escalated,
    below the top level of their rule, or of a daily rule not yet notified today."""
    wanted = Q(escalation_level=0)
    for kind, rule in rules.kinds.items():
        top = max(lv.level for lv in rule.levels)
        wanted |= Q(kind=kind, escalation_level__lt=top)
        if rule.daily:
            wanted |= Q(kind=kind, escalated_on__lt=today)
    return (
        Task.objects.filter(status="open", due_at__lt=now)
        .filter(wanted)
        .exclude(case__stage="closed")
        .order_by("due_at")
        .values_list("pk", flat=True)
    )


def escalate_overdue(*, now: datetime | None = None) -> EscalationResult:
    """Notify the people concerned by newly overdue tasks (see the module docstring)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    rules = load_rules()
    recipients = _Recipients()
    result = EscalationResult()
    for task_id in list(_candidates(rules, now, today).iterator(chunk_size=2000)):
        sent = _escalate_one(task_id, rules, recipients, now=now, today=today)
        if sent is not None:
            result.tasks += 1
            result.notifications += sent
    if result.tasks:
        audit_record(
            actor=None, action="task.escalate", target_type="task", interface="cli",
            data={"tasks": result.tasks, "notifications": result.notifications},
        )  # fmt: skip
    return result


@transaction.atomic
def _escalate_one(task_id, rules: Rules, recipients: _Recipients, *, now, today) -> int | None:
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("case")
        .filter(pk=task_id, status="open", due_at__lt=now)
        .first()
    )
    if task is None or task.case.stage == "closed":
        return None
    rule = rules.for_kind(task.kind)
    level = rule.reached(now - task.due_at)
    if level > task.escalation_level:
        audiences = rule.audiences(task.escalation_level, level)
    elif rule.daily and (task.escalated_on is None or task.escalated_on < today):
        audiences = rule.audiences(0, level)
    else:
        return None  # already told (the check repeated under the lock)
    link = f"/cases/{task.case_id}/"
    notified: set[int] = set()
    rows = []
    for audience in audiences:
        message = MESSAGES[audience]
        if rule.daily and task.escalation_level >= level and audience == "judicial_liaisons":
            message = JUDICIAL_DAILY_MESSAGE
        for user_id in recipients.of(audience, task):
            if user_id in notified:
                continue
            notified.add(user_id)
            rows.append(
                Notification(
                    user_id=user_id, kind=f"overdue_{task.kind}"[:40], message=message, link=link
                )
            )
    Notification.objects.bulk_create(rows)
    task.escalation_level, task.escalated_on = max(level, task.escalation_level), today
    task.save(update_fields=["escalation_level", "escalated_on", "updated_at"])
    CaseEvent.objects.create(
        case_id=task.case_id, at=now, actor=None, kind="escalated",
        data={"task": task.kind, "level": task.escalation_level, "audiences": audiences, "notified": len(rows)},
    )  # fmt: skip
    return len(rows)
