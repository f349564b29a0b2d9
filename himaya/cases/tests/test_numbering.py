"""Human case numbers: per territory and year, unique even under concurrent creation."""

import threading

import pytest
from django.db import close_old_connections, connection

from himaya.cases.services import next_number


@pytest.mark.django_db
def test_numbers_count_up_per_key():
    assert [next_number("case:SAL:2026") for _ in range(3)] == [1, 2, 3]
    assert next_number("case:TNG:2026") == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrent transactions need PostgreSQL"
)
def test_twenty_concurrent_reports_get_twenty_distinct_numbers(committed_db):
    """20 threads, each its own connection and transaction, create a report at the same time."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from himaya.accounts.testing import build_personas
    from himaya.cases import services
    from himaya.cases.models import Case
    from himaya.core.models import Province

    personas = build_personas()
    sale = Province.objects.get(pk="04.441")
    barrier = threading.Barrier(20)
    errors = []

    def create(index):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                services.report_create(
                    actor=personas.reception_sale,
                    data=services.ReportInput(
                        received_at=timezone.now() - timedelta(minutes=1), channel="onde_2511_line", province=sale,
                        narrative=f"report {index}", concerns=["NEG.CAR"], children=[services.ChildInput(first_name_lat=f"Child{index}", sex="male")],
                    ),
                )  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    numbers = list(
        Case.objects.filter(number__startswith=f"SAL-{timezone.localdate().year}-").values_list(
            "number", flat=True
        )
    )
    assert len(numbers) == 20 and len(set(numbers)) == 20
