"""The referral pages end to end: the case team refers from the case (with suggestions), the
provider finds it in the inbox, reads the packet (audited), answers; refusals re-render with
the error and change nothing; another organisation's referral is a 404."""

import pytest
from django.urls import reverse

from himaya.audit.models import AuditEvent
from himaya.referrals import services
from himaya.referrals.models import Referral

pytestmark = pytest.mark.django_db


def send(world, institution="hospital_sale", service="health"):
    return services.referral_send(
        actor=world.manager_sale, case_id=world.cases["sale"].pk,
        institution_id=world.institutions[institution].pk, service=service, note="Bilan de santé",
    )  # fmt: skip


def test_case_team_refers_from_the_suggestions(world, client, login):
    login(world.manager_sale)
    url = reverse("referrals:new", args=[world.cases["sale"].pk])
    page = client.get(url + "?service=health")
    html = page.content.decode()
    assert page.status_code == 200 and "t-inst-hospital-sale" in html
    assert "t-inst-hospital-tanger" not in html  # outside the region: never suggested
    response = client.post(url, {"service": "health", "institution": world.institutions["hospital_sale"].pk,
                                 "urgency": "urgent", "note": "Examen"})  # fmt: skip
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "referrals:detail", args=[referral.pk]
    )
    assert referral.urgency == "urgent"


def test_referral_form_refuses_an_institution_without_the_service(world, client, login):
    login(world.manager_sale)
    url = reverse("referrals:new", args=[world.cases["sale"].pk])
    response = client.post(
        url,
        {
            "service": "shelter",
            "institution": world.institutions["hospital_sale"].pk,
            "urgency": "routine",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "does not offer" in response.content.decode()
    assert not Referral.objects.exists()


def test_provider_inbox_packet_and_answers(world, client, login):
    referral = send(world)
    other = send(world, institution="cape_sale", service="mental_health")
    login(world.provider_hospital_sale)
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert reverse("referrals:detail", args=[referral.pk]) in inbox
    assert reverse("referrals:detail", args=[other.pk]) not in inbox
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "آمنة الإدريسي" in html and "Bilan de santé" in html
    assert world.cases["sale"].number not in html and "asthma" not in html
    assert AuditEvent.objects.filter(
        action="referral.packet_read", target_id=str(referral.pk)
    ).exists()
    # declining without a reason: 400, nothing changes
    response = client.post(reverse("referrals:decline", args=[referral.pk]), {"reason": ""})
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.status == "sent"
    client.post(reverse("referrals:accept", args=[referral.pk]))
    client.post(reverse("referrals:complete", args=[referral.pk]), {"outcome": "Examen fait"})
    referral.refresh_from_db()
    assert referral.status == "completed" and referral.outcome == "Examen fait"
    # another organisation's referral does not exist for this provider
    assert client.get(reverse("referrals:detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("referrals:accept", args=[other.pk])).status_code == 404


def test_a_refused_transition_is_a_message_and_changes_nothing(world, client, login):
    referral = send(world)
    login(world.provider_hospital_sale)
    response = client.post(
        reverse("referrals:complete", args=[referral.pk]), {"outcome": "x"}, follow=True
    )
    assert response.status_code == 200
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_outgoing_list_and_cancel(world, client, login):
    referral = send(world)
    login(world.manager_sale)
    assert (
        referral.institution.name_fr in client.get(reverse("referrals:outgoing")).content.decode()
    )
    assert (
        client.post(reverse("referrals:cancel", args=[referral.pk]), {"reason": ""}).status_code
        == 400
    )
    client.post(reverse("referrals:cancel", args=[referral.pk]), {"reason": "Famille partie"})
    referral.refresh_from_db()
    assert referral.status == "cancelled"


def test_inbox_query_count(world, client, login, django_assert_max_num_queries):
    for _ in range(5):
        send(world)
        Referral.objects.update(status="refused")
    login(world.provider_hospital_sale)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("referrals:inbox"))
    assert response.status_code == 200


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_pages_render_in_every_language(world, client, login, language, direction):
    referral = send(world)
    pages = [
        (world.provider_hospital_sale, reverse("referrals:inbox")),
        (world.provider_hospital_sale, reverse("referrals:detail", args=[referral.pk])),
        (world.manager_sale, reverse("referrals:outgoing")),
        (world.manager_sale, reverse("referrals:detail", args=[referral.pk])),
        (
            world.manager_sale,
            reverse("referrals:new", args=[world.cases["sale"].pk]) + "?service=health",
        ),
    ]
    for user, url in pages:
        client.logout()
        login(user)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, url
        assert f'<html lang="{language}" dir="{direction}">' in response.content.decode()


def test_the_case_timeline_tells_the_referral_steps(world):
    from django.utils import translation

    from himaya.cases.models import CaseEvent
    from himaya.cases.views import describe_event

    referral = send(world)
    services.referral_decline(
        actor=world.provider_hospital_sale, referral_id=referral.pk, reason="no_capacity"
    )
    with translation.override("en"):
        texts = [
            describe_event(e, judicial_data=False)
            for e in CaseEvent.objects.filter(
                case=world.cases["sale"], kind__startswith="referral_"
            ).order_by("id")
        ]
    assert texts[0].startswith("Referred to t-inst-hospital-sale for Health care, due on ")
    assert texts[1] == "Referral for Health care declined: No capacity."


def test_the_case_page_lists_the_cases_referrals(world, client, login):
    from himaya.referrals import services as referral_services

    case = world.cases["sale"]
    referral_services.referral_send(
        actor=world.manager_sale, case_id=case.pk,
        institution_id=world.institutions["hospital_sale"].pk, service="health",
        note="Examen médical.",
    )  # fmt: skip
    login(world.manager_sale)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="referrals-title"' in page
    assert world.institutions["hospital_sale"].name in page
