import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from himaya.audit.models import AuditEvent
from himaya.audit.services import audit_record
from himaya.audit.tests.factories import make_auditor, make_outsider, make_user, sign_in
from himaya.audit.tests.helpers import append_only_triggers_disabled, raw_execute

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himaya.audit.tests.urls")]
EVENTS = "/audit/"
VERIFY = "/audit/verify/"


@pytest.fixture
def auditor(client):
    user = make_auditor()
    sign_in(client, user)
    return user


@pytest.fixture
def with_request_ids(settings):
    settings.MIDDLEWARE = ["himaya.audit.middleware.RequestIdMiddleware", *settings.MIDDLEWARE]


def _html(response) -> str:
    return response.content.decode()


def _shown_targets(response) -> list[str]:
    return re.findall(r"<code>(target-[^<]*)</code>", _html(response))


def test_url_names():
    assert reverse("audit:events") == EVENTS
    assert reverse("audit:verify") == VERIFY


def test_anonymous_is_sent_to_login(client):
    response = client.get(EVENTS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/audit/" in response["Location"]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("url", [EVENTS, VERIFY])
def test_other_roles_are_refused_and_the_attempt_is_audited(client, url):
    outsider = make_outsider()
    sign_in(client, outsider)

    response = client.get(url)

    assert response.status_code == 403
    event = AuditEvent.objects.get()
    assert (event.actor, event.outcome, event.data["path"]) == (outsider, "denied", url)


def test_auditor_sees_events_newest_first(client, auditor):
    actor = make_user("manager.sale", role="case_manager")
    audit_record(actor=actor, action="child.read", target_type="child", target_id="target-a")
    audit_record(actor=actor, action="child.update", target_type="child", target_id="target-b")

    response = client.get(EVENTS, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = _html(response)
    assert _shown_targets(response) == ["target-b", "target-a"]
    assert "manager.sale" in html
    assert "case_manager" in html


def test_page_queries_do_not_grow_with_events(client, auditor, django_assert_max_num_queries):
    users = [make_user(f"worker-{n}", role="case_manager") for n in range(5)]
    for n in range(50):
        audit_record(actor=users[n % 5], action="child.read", target_id=f"target-{n}")

    # Session, user, memberships, the page of events, the audit.search append (savepoint,
    # head, insert, head update, release), the session save: about a dozen, never 50 more.
    with django_assert_max_num_queries(16):
        response = client.get(EVENTS)
    assert len(_shown_targets(response)) == 50


def test_viewing_is_audited_with_filters_and_results(client, auditor, with_request_ids):
    shown = audit_record(actor=None, action="child.read", target_id="target-a")

    response = client.get(EVENTS, {"target": "target-a"}, HTTP_X_REQUEST_ID="trace-0000-0001")

    assert response.status_code == 200
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.actor, event.interface) == ("audit.search", auditor, "web")
    assert event.data["filters"] == {"target": "target-a"}
    assert event.data["result_ids"] == [shown.id]
    assert event.request_id == "trace-0000-0001"
    assert response["X-Request-ID"] == "trace-0000-0001"


def test_filters(client, auditor):
    alice = make_user("alice", role="case_manager")
    bob = make_user("bob", role="case_manager")
    child = uuid.uuid4()
    audit_record(actor=alice, action="child.read", target_id="target-1", child_id=child)
    audit_record(actor=bob, action="child.update", target_id="target-2")
    audit_record(actor=alice, action="child.update", target_id="target-3")

    def shown(**params):
        return _shown_targets(client.get(EVENTS, params))

    assert shown(actor="alice") == ["target-3", "target-1"]
    assert shown(action="child.update") == ["target-3", "target-2"]
    assert shown(target="target-2") == ["target-2"]
    assert shown(child=str(child)) == ["target-1"]
    assert shown(actor="alice", action="child.update") == ["target-3"]
    assert shown(actor="nobody") == []


def test_time_filters_read_local_time(client, auditor):
    audit_record(actor=None, action="child.read", target_id="target-old")  # at: now
    now = timezone.localtime()
    later = (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    earlier = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")

    assert _shown_targets(client.get(EVENTS, {"since": earlier})) == ["target-old"]
    assert _shown_targets(client.get(EVENTS, {"since": later})) == []
    assert _shown_targets(client.get(EVENTS, {"until": earlier})) == []
    assert _shown_targets(client.get(EVENTS, {"since": earlier, "until": later})) == ["target-old"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"child": "not-a-uuid"}, "child"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-45T99:99"}, "until"),
        ({"action": "DROP TABLE"}, "action"),
        ({"since": "2026-11-20T10:00", "until": "2026-11-19T10:00"}, "until"),
        ({"target": "x" * 65}, "target"),
        ({"before": "-3"}, "before"),
        ({"before": "abc"}, "before"),
    ],
)
def test_bad_input_shows_errors_not_a_500(client, auditor, params, field):
    response = client.get(EVENTS, params, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "invalid-feedback" in _html(response)
    assert response.context["events"] is None
    assert not AuditEvent.objects.filter(action="audit.search").exists()


def test_keyset_pagination(client, auditor):
    for n in range(55):
        audit_record(actor=None, action="child.read", target_id=f"target-{n:02d}")

    first = client.get(EVENTS, {"action": "child.read"})
    assert _shown_targets(first) == [f"target-{n:02d}" for n in range(54, 4, -1)]
    cursor = first.context["next_before"]
    assert cursor == 6  # the oldest event shown
    assert f"before={cursor}" in _html(first)
    assert "action=child.read" in _html(first)

    second = client.get(EVENTS, {"action": "child.read", "before": cursor})
    assert _shown_targets(second) == [f"target-{n:02d}" for n in range(4, -1, -1)]
    assert second.context["next_before"] is None


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("fr", "ltr"), ("en", "ltr")])
def test_pages_render_in_each_language(client, auditor, language, direction):
    audit_record(actor=None, action="child.read", target_id="target-a")
    for url in (EVENTS, VERIFY):
        html = _html(client.get(url, HTTP_ACCEPT_LANGUAGE=language))
        assert f'<html lang="{language}" dir="{direction}">' in html


def test_verify_page_shows_intact_chain(client, auditor):
    audit_record(actor=None, action="auth.login")

    assert 'method="post"' in _html(client.get(VERIFY))
    response = client.post(VERIFY, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "The audit trail is intact: 1 event checked." in _html(response)
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.data["ok"], event.data["checked"]) == ("audit.verify", True, 1)


def test_verify_page_names_the_broken_event(client, auditor):
    for _ in range(3):
        audit_record(actor=None, action="auth.login")
    with append_only_triggers_disabled():
        raw_execute("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["x", 2])

    response = client.post(VERIFY, HTTP_ACCEPT_LANGUAGE="en")

    html = _html(response)
    assert "The audit trail is broken at event #2." in html
    assert "it was edited" in html
