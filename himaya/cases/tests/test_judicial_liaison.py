"""The judicial liaison's pages: an inbox of the territory's reports to the prosecutor and
judicial follow-up, and a judicial case page (summary identity and judicial track only) from
which the liaison records reports, answers, measures, hearings and supervised-liberty reports
with the circuit's services. Every read is audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from himaya.audit.models import AuditEvent
from himaya.cases import services
from himaya.cases.models import JudicialReferral, SupervisedLibertyReport, Task
from himaya.cases.tests.test_pages_cases import report

pytestmark = pytest.mark.django_db

NARRATIVE = "Enfant frappée."  # the narrative `report()` records


def offence_case(p, **child):
    """A Salé case with a suspected offence: its report to the prosecutor is due today."""
    return report(p.reception_sale, concerns=("VPH.FAM",), **child)


def test_inbox_lists_the_territorys_pending_reports_and_is_audited(personas, client, login):
    case = offence_case(personas)
    tanger = personas.cases["tanger"]
    Task.objects.create(
        case=tanger, kind="report_to_prosecutor", due_at=timezone.now(), blocking_closure=True
    )
    login(personas.judicial_sale)
    response = client.get(reverse("cases:judicial_inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and "Salma Riahi" in html
    assert reverse("cases:judicial_case", args=[case.pk]) in html
    assert tanger.number not in html  # another territory
    assert NARRATIVE not in html
    event = AuditEvent.objects.filter(action="judicial.inbox", actor_id=personas.judicial_sale.pk)
    assert str(case.pk) in event.get().data["cases"]


def test_inbox_query_count_does_not_grow_with_rows(
    personas, client, login, django_assert_max_num_queries
):
    for index in range(6):
        case = offence_case(personas, first=f"Enfant{index}")
        services.judicial_measure_add(
            actor=personas.judicial_sale, case_id=case.pk, measure_type="supervised_liberty",
            decided_at=timezone.localdate(), starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=400),
        )  # fmt: skip
        services.hearing_add(
            actor=personas.judicial_sale,
            case_id=case.pk,
            scheduled_at=timezone.now() + timedelta(days=3),
        )
    login(personas.judicial_sale)
    # session, user, memberships, territory, 5 sections, audit (4 with its savepoint), nav count,
    # session save: constant whatever the number of rows.
    with django_assert_max_num_queries(20):
        response = client.get(reverse("cases:judicial_inbox"))
    assert response.status_code == 200
    assert len(response.context["measures"]) == 6 and len(response.context["hearings"]) == 6


def test_judicial_page_shows_the_summary_and_judicial_track_only(personas, client, login):
    case = offence_case(personas)
    services.judicial_report_record(
        actor=personas.reception_sale, case_id=case.pk, court="TPI Salé",
        sent_at=timezone.now() - timedelta(minutes=5), reference="PQ-12",
    )  # fmt: skip
    login(personas.judicial_sale)
    # The whole case stays closed to the liaison.
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 403
    response = client.get(reverse("cases:judicial_case", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.number in html and "Salma Riahi" in html and "PQ-12" in html
    assert NARRATIVE not in html  # no narrative, plan, notes or reporter
    assert "id_jreport_court" in html and "id_measure_measure_type" in html
    read = AuditEvent.objects.filter(
        action="case.read", target_id=str(case.pk), actor_id=personas.judicial_sale.pk
    ).get()
    assert read.data["permission"] == "data.judicial"


def test_judicial_page_scope(personas, client, login):
    login(personas.judicial_sale)
    assert (
        client.get(reverse("cases:judicial_case", args=[personas.cases["tanger"].pk])).status_code
        == 404
    )
    login(personas.reception_sale)  # no judicial data
    assert (
        client.get(reverse("cases:judicial_case", args=[personas.cases["sale"].pk])).status_code
        == 403
    )


def test_liaison_records_a_report_from_the_judicial_page(personas, client, login):
    case = offence_case(personas)
    login(personas.judicial_sale)
    url = reverse("cases:judicial_report", args=[case.pk])
    sent = timezone.localtime() - timedelta(minutes=10)

    bad = client.post(url, {"referral_type": "offence_report", "court": "", "page": "judicial"})
    assert bad.status_code == 400
    assert "court" in bad.context["forms"]["judicial_report"].errors
    assert bad.templates[0].name == "cases/judicial_case.html"
    assert not JudicialReferral.objects.filter(case=case).exists()

    done = client.post(
        url,
        {
            "referral_type": "offence_report",
            "court": "TPI Salé",
            "sent_at": sent.strftime("%Y-%m-%dT%H:%M"),
            "made_by": "us",
            "page": "judicial",
        },
    )
    assert done.status_code == 302
    assert done["Location"] == reverse("cases:judicial_case", args=[case.pk])
    assert case.tasks.get(kind="report_to_prosecutor").status == "done"


def test_liaison_records_the_prosecutors_answer(personas, client, login):
    case = offence_case(personas)
    referral = services.judicial_report_record(
        actor=personas.judicial_sale, case_id=case.pk, court="TPI Salé",
        sent_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    login(personas.judicial_sale)
    url = reverse("cases:referral_outcome", args=[case.pk, referral.pk])
    bad = client.post(url, {"outcome": "maybe", "outcome_on": str(timezone.localdate())})
    assert bad.status_code == 400
    assert "outcome" in bad.context["referrals"][0]["form"].errors
    referral.refresh_from_db()
    assert referral.outcome == "pending"

    early = client.post(
        url, {"outcome": "investigation_opened", "outcome_on": str(date(2000, 1, 1))}
    )
    assert early.status_code == 400  # before the report was sent: the service names the field
    assert "outcome_on" in early.context["referrals"][0]["form"].errors

    ok = client.post(
        url,
        {
            "outcome": "proceedings_opened",
            "outcome_on": str(timezone.localdate()),
            "reference": "D-7",
        },
    )
    assert ok.status_code == 302
    referral.refresh_from_db()
    case.refresh_from_db()
    assert (referral.outcome, referral.reference, case.judicial_status) == (
        "proceedings_opened",
        "D-7",
        "proceedings",
    )
    other = personas.cases["tanger"]
    assert (
        client.post(reverse("cases:referral_outcome", args=[other.pk, referral.pk]), {}).status_code
        == 404
    )


def test_supervised_liberty_reports_from_the_judicial_page(personas, client, login):
    case = offence_case(personas, birth_date=date(2012, 3, 1))
    start = timezone.localdate() - timedelta(days=100)
    login(personas.judicial_sale)
    measure = client.post(
        reverse("cases:judicial_measure", args=[case.pk]),
        {
            "measure_type": "supervised_liberty",
            "decided_at": str(start),
            "starts_on": str(start),
            "page": "judicial",
        },
    )
    assert measure.status_code == 302
    due = case.tasks.filter(kind="ls_report")
    assert due.count() == 1 and due.get().status == "open"  # one report due at a time
    first_due = due.get().due_at

    url = reverse("cases:ls_report", args=[case.pk])
    bad = client.post(
        url,
        {"period_start": str(start), "period_end": str(start - timedelta(days=1)),
         "sent_on": str(timezone.localdate()), "summary": "RAS", "page": "judicial"},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "period_end" in bad.context["forms"]["ls_report"].errors
    assert not SupervisedLibertyReport.objects.exists()

    ok = client.post(
        url,
        {"period_start": str(start), "period_end": str(start + timedelta(days=90)),
         "sent_on": str(timezone.localdate()), "summary": "Assiduité satisfaisante",
         "compliance": "satisfactory", "recommendation": "continue", "page": "judicial"},
    )  # fmt: skip
    assert ok.status_code == 302
    tasks = list(case.tasks.filter(kind="ls_report").order_by("due_at"))
    assert [t.status for t in tasks] == ["done", "open"]
    assert tasks[1].due_at > first_due
    page = client.get(reverse("cases:judicial_case", args=[case.pk]))
    assert "Assiduité satisfaisante" in page.content.decode()


def test_ls_report_without_a_supervised_liberty_measure_is_refused(personas, client, login):
    case = offence_case(personas)
    login(personas.judicial_sale)
    response = client.post(
        reverse("cases:ls_report", args=[case.pk]),
        {"period_start": "2026-01-01", "period_end": "2026-03-31", "sent_on": "2026-04-02",
         "summary": "x", "page": "judicial"},
    )  # fmt: skip
    assert response.status_code == 302  # the workflow refuses: a message, nothing changed
    assert not SupervisedLibertyReport.objects.exists()


def test_two_hearings_each_get_their_reminders(personas):
    """Reminders 7 days and 1 day before each hearing (those still ahead)."""
    case = offence_case(personas)
    for days in (5, 9):
        services.hearing_add(
            actor=personas.judicial_sale,
            case_id=case.pk,
            scheduled_at=timezone.now() + timedelta(days=days),
        )
    assert case.tasks.filter(kind="hearing_reminder", status="open").count() == 3


def test_measure_with_an_end_date_alerts_thirty_days_before(personas):
    case = offence_case(personas)
    ends = timezone.localdate() + timedelta(days=200)
    services.judicial_measure_add(
        actor=personas.judicial_sale, case_id=case.pk, measure_type="supervised_liberty",
        decided_at=timezone.localdate(), starts_on=timezone.localdate(), ends_on=ends,
    )  # fmt: skip
    alert = case.tasks.get(kind="measure_expiry")
    assert timezone.localtime(alert.due_at).date() == ends - timedelta(days=30)


def test_measure_review_date_alerts_too_and_is_checked(personas):
    from django.core.exceptions import ValidationError

    case = offence_case(personas)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.judicial_measure_add(
            actor=personas.judicial_sale, case_id=case.pk, measure_type="protection_measure_481",
            decided_at=today, starts_on=today, review_on=today - timedelta(days=1),
        )  # fmt: skip
    assert "review_on" in refused.value.message_dict
    services.judicial_measure_add(
        actor=personas.judicial_sale, case_id=case.pk, measure_type="protection_measure_481",
        decided_at=today, starts_on=today, ends_on=today + timedelta(days=365),
        review_on=today + timedelta(days=180),
    )  # fmt: skip
    dues = sorted(
        timezone.localtime(t.due_at).date() for t in case.tasks.filter(kind="measure_expiry")
    )
    assert dues == [today + timedelta(days=150), today + timedelta(days=335)]


# --- API -----------------------------------------------------------------------------------------


def api(user):
    from rest_framework.test import APIClient

    from himaya.accounts.testing import sign_in

    return sign_in(APIClient(), user)


def test_api_supervised_liberty_report(personas):
    case = offence_case(personas)
    liaison = api(personas.judicial_sale)
    url = f"/api/v1/cases/{case.pk}/ls-reports/"
    body = {"period_start": "2026-01-01", "period_end": "2026-03-31",
            "sent_on": str(timezone.localdate()), "summary": "RAS"}  # fmt: skip
    refused = liaison.post(url, body, format="json")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"

    start = timezone.localdate() - timedelta(days=95)
    services.judicial_measure_add(
        actor=personas.judicial_sale, case_id=case.pk, measure_type="supervised_liberty",
        decided_at=start, starts_on=start,
    )  # fmt: skip
    bad = liaison.post(
        url, {**body, "period_start": str(start), "period_end": "2000-01-01"}, format="json"
    )
    assert bad.status_code == 400
    assert "period_end" in bad.json()["error"]["fields"]
    assert not SupervisedLibertyReport.objects.exists()
    missing = liaison.post(url, {"period_start": str(start)}, format="json")
    assert missing.status_code == 400 and "sent_on" in missing.json()["error"]["fields"]

    ok = liaison.post(
        url,
        {**body, "period_start": str(start), "period_end": str(start + timedelta(days=90))},
        format="json",
        HTTP_IDEMPOTENCY_KEY="ls-1",
    )
    assert ok.status_code == 201, ok.content
    again = liaison.post(
        url,
        {**body, "period_start": str(start), "period_end": str(start + timedelta(days=90))},
        format="json",
        HTTP_IDEMPOTENCY_KEY="ls-1",
    )
    assert again.status_code == 201 and SupervisedLibertyReport.objects.count() == 1
    assert case.tasks.filter(kind="ls_report", status="done").count() == 1
    detail = api(personas.supervisor_sale).get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["judicial"]["ls_reports"][0]["period_start"] == str(start)
    tanger = personas.cases["tanger"]
    assert (
        liaison.post(f"/api/v1/cases/{tanger.pk}/ls-reports/", body, format="json").status_code
        == 404
    )


def test_api_prosecutors_answer(personas):
    case = offence_case(personas)
    referral = services.judicial_report_record(
        actor=personas.judicial_sale, case_id=case.pk, court="TPI Salé",
        sent_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    url = f"/api/v1/cases/{case.pk}/judicial-reports/{referral.pk}/outcome/"
    liaison = api(personas.judicial_sale)
    bad = liaison.post(
        url, {"outcome": "later", "outcome_on": str(timezone.localdate())}, format="json"
    )
    assert bad.status_code == 400 and "outcome" in bad.json()["error"]["fields"]
    ok = liaison.post(
        url,
        {"outcome": "no_further_action", "outcome_on": str(timezone.localdate())},
        format="json",
    )
    assert ok.status_code == 200
    referral.refresh_from_db()
    assert referral.outcome == "no_further_action"


# --- the CAPE's reception date of a decision (JI02) ----------------------------------------------


@pytest.mark.parametrize(
    ("received", "why"),
    [(1, "in the future"), (-11, "before the decision")],
)
def test_reception_date_is_checked_and_names_the_field(personas, received, why):
    from django.core.exceptions import ValidationError

    case = offence_case(personas)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.judicial_measure_add(
            actor=personas.judicial_sale, case_id=case.pk, measure_type="protection_measure_481",
            decided_at=today - timedelta(days=10), starts_on=today - timedelta(days=10),
            received_on=today + timedelta(days=received),
        )  # fmt: skip
    assert list(refused.value.message_dict) == ["received_on"], why
    assert case.judicial_measures.count() == 0


def test_reception_date_is_recorded_by_the_service_the_api_and_the_pages(personas, client, login):
    case = offence_case(personas)
    today = timezone.localdate()
    decided = today - timedelta(days=20)
    measure = services.judicial_measure_add(
        actor=personas.judicial_sale, case_id=case.pk, measure_type="protection_measure_481",
        decided_at=decided, starts_on=decided, received_on=decided,  # the same day is allowed
    )  # fmt: skip
    assert measure.received_on == decided
    # optional: none recorded
    later = services.judicial_measure_add(
        actor=personas.judicial_sale, case_id=case.pk, measure_type="protection_measure_481",
        decided_at=decided, starts_on=decided,
    )  # fmt: skip
    assert later.received_on is None

    liaison = api(personas.judicial_sale)
    url = f"/api/v1/cases/{case.pk}/judicial-measures/"
    body = {"type": "protection_measure_481", "decided_at": str(decided),
            "starts_on": str(decided)}  # fmt: skip
    bad = liaison.post(
        url, {**body, "received_on": str(decided - timedelta(days=1))}, format="json"
    )
    assert bad.status_code == 400 and "received_on" in bad.json()["error"]["fields"]
    assert case.judicial_measures.count() == 2  # nothing recorded
    good = liaison.post(url, {**body, "received_on": str(today)}, format="json")
    assert good.status_code == 201
    assert case.judicial_measures.order_by("created_at").last().received_on == today

    # the form on the case page (case manager) and on the judicial page (liaison)
    from himaya.cases.tests.test_pages_cases import assigned_case

    login(personas.manager_sale)
    assigned = assigned_case(personas, first="Autre")
    case_page = client.get(reverse("cases:detail", args=[assigned.pk])).content.decode()
    assert 'name="received_on"' in case_page
    login(personas.judicial_sale)
    judicial_page = client.get(reverse("cases:judicial_case", args=[case.pk])).content.decode()
    assert 'name="received_on"' in judicial_page
    posted = client.post(
        reverse("cases:judicial_measure", args=[case.pk]),
        {"measure_type": "protection_measure_481", "decided_at": str(decided),
         "starts_on": str(decided), "received_on": str(today - timedelta(days=5)),
         "page": "judicial"},
    )  # fmt: skip
    assert posted.status_code == 302
    assert case.judicial_measures.order_by("created_at").last().received_on == today - timedelta(
        days=5
    )
    refused = client.post(
        reverse("cases:judicial_measure", args=[case.pk]),
        {"measure_type": "protection_measure_481", "decided_at": str(decided),
         "starts_on": str(decided), "received_on": str(today + timedelta(days=1)),
         "page": "judicial"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert case.judicial_measures.count() == 4
