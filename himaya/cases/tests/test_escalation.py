"""Daily escalation of overdue work: who is told, at which level, and never twice a day."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from himaya.accounts.models import Notification
from himaya.cases import escalation, services
from himaya.cases.models import CaseEvent, Task

pytestmark = pytest.mark.django_db


def notified(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("kind", flat=True))


def overdue_task(case, kind: str, *, late: timedelta = timedelta(hours=2), **extra) -> Task:
    return Task.objects.create(
        case=case, kind=kind, due_at=timezone.now() - late, assignee=case.case_manager, **extra
    )


def test_an_overdue_task_notifies_its_assignee_and_the_supervisors_once(personas):
    case = personas.cases["sale"]
    task = overdue_task(case, "first_contact")
    result = escalation.escalate_overdue()
    assert (result.tasks, result.notifications) == (1, 2)
    assert notified(personas.manager_sale) == ["overdue_first_contact"]
    assert notified(personas.supervisor_sale) == ["overdue_first_contact"]
    assert notified(personas.judicial_sale) == []  # not a judicial task
    assert notified(personas.manager_tanger) == []
    note = Notification.objects.get(user=personas.manager_sale)
    assert note.link == f"/cases/{case.pk}/" and "Salma" not in note.message  # no child data
    task.refresh_from_db()
    assert (task.escalation_level, task.escalated_on) == (1, timezone.localdate())
    assert CaseEvent.objects.filter(case=case, kind="escalated").count() == 1

    again = escalation.escalate_overdue()  # the same day: nobody is told twice
    assert (again.tasks, again.notifications) == (0, 0)
    later = escalation.escalate_overdue(now=timezone.now() + timedelta(days=3))
    assert later.notifications == 0  # level 1 is the last level of an ordinary deadline
    assert Notification.objects.count() == 2


def test_the_report_to_the_prosecutor_alerts_the_liaison_every_day_until_done(personas):
    case = personas.cases["sale"]
    task = overdue_task(case, "report_to_prosecutor", blocking_closure=True)
    first = escalation.escalate_overdue()
    assert first.notifications == 3
    assert notified(personas.judicial_sale) == ["overdue_report_to_prosecutor"]
    assert escalation.escalate_overdue().notifications == 0  # same day
    next_day = escalation.escalate_overdue(now=timezone.now() + timedelta(days=1))
    assert next_day.notifications == 3
    assert len(notified(personas.judicial_sale)) == 2
    task.status, task.done_at = "done", timezone.now()
    task.save()
    assert escalation.escalate_overdue(now=timezone.now() + timedelta(days=2)).notifications == 0


def test_a_late_supervised_liberty_report_reaches_the_liaison_after_fifteen_days(personas):
    case = personas.cases["sale"]
    task = overdue_task(case, "ls_report", late=timedelta(days=1))
    escalation.escalate_overdue()
    assert notified(personas.judicial_sale) == []
    assert len(notified(personas.manager_sale)) == 1
    escalation.escalate_overdue(now=timezone.now() + timedelta(days=15))
    assert notified(personas.judicial_sale) == ["overdue_ls_report"]
    assert len(notified(personas.manager_sale)) == 1  # level 2 tells only the new audience
    task.refresh_from_db()
    assert task.escalation_level == 2


def test_closed_cases_and_resolved_tasks_are_not_escalated(personas):
    case = personas.cases["sale"]
    overdue_task(case, "follow_up", status="done")
    tanger = personas.cases["tanger"]
    overdue_task(tanger, "follow_up")
    tanger.stage = "closed"
    tanger.save(update_fields=["stage"])
    assert escalation.escalate_overdue().tasks == 0
    assert not Notification.objects.exists()


def test_a_task_without_assignee_goes_to_the_case_manager(personas):
    case = personas.cases["sale"]
    Task.objects.create(case=case, kind="case_plan", due_at=timezone.now() - timedelta(hours=1))
    escalation.escalate_overdue()
    assert notified(personas.manager_sale) == ["overdue_case_plan"]


def test_the_command_is_idempotent(personas):
    overdue_task(personas.cases["sale"], "first_contact")
    out = StringIO()
    call_command("escalate_overdue", stdout=out)
    call_command("escalate_overdue", stdout=out)
    assert out.getvalue().splitlines() == [
        "1 overdue task(s) escalated, 2 notification(s)",
        "0 overdue task(s) escalated, 0 notification(s)",
    ]


def test_the_deadlines_of_a_real_case_escalate(personas):
    """A case opened through the services: its deadlines, once past, reach the right people."""
    from himaya.cases.tests.test_pages_cases import report

    case = report(personas.reception_sale, concerns=("VPH.FAM",))
    services.case_assign(
        actor=personas.reception_sale, case_id=case.pk, user=personas.manager_sale,
        as_role="case_manager",
    )  # fmt: skip
    result = escalation.escalate_overdue(now=timezone.now() + timedelta(days=40))
    kinds = set(
        Task.objects.filter(case=case, escalation_level__gt=0).values_list("kind", flat=True)
    )
    assert "report_to_prosecutor" in kinds and "full_assessment" in kinds
    assert result.notifications >= 3
    assert "overdue_report_to_prosecutor" in notified(personas.judicial_sale)


def test_the_rules_file_is_refused_when_wrong(tmp_path):
    bad = tmp_path / "escalation.yaml"
    bad.write_text(
        "version: 1\ndefault:\n  levels:\n    - {level: 1, after: 0d, notify: [mayor]}\n"
    )
    with pytest.raises(ValueError, match="unknown audience"):
        escalation.load_rules(bad)
    bad.write_text(
        "version: 1\ndefault:\n  levels:\n"
        "    - {level: 1, after: 5d, notify: [assignee]}\n"
        "    - {level: 2, after: 1d, notify: [supervisors]}\n"
    )
    with pytest.raises(ValueError, match="sooner"):
        escalation.load_rules(bad)
