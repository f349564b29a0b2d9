"""Programme indicators (Part B): administrator records, dated and audited, and the figures
computed from the organisations; never suppressed."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from himaya.audit.models import AuditEvent
from himaya.core.models import Province
from himaya.indicators import aggregates, selectors, services
from himaya.indicators.models import AggregateCell, ProgrammeRecord
from himaya.indicators.periods import Period
from himaya.indicators.registry import INDICATORS
from himaya.indicators.tests.helpers import statistician

pytestmark = pytest.mark.django_db


def add(personas, **changes):
    values = {
        "indicator": "PG01", "province": Province.objects.get(code="04.441"),
        "reference_date": date(2025, 3, 1), "value": 1, "source_document": "Décision n° 12/2025",
    }  # fmt: skip
    values.update(changes)
    return services.programme_record_add(actor=personas.admin, **values)


def test_records_are_dated_audited_and_rolled_up(personas):
    record = add(personas)
    add(personas, province=Province.objects.get(code="01.511"), reference_date=date(2025, 6, 1))
    assert AuditEvent.objects.filter(
        action="indicators.programme_record", target_id=str(record.id)
    ).exists()
    aggregates.rebuild()

    def value(period, territory):
        found = AggregateCell.objects.filter(
            indicator="PG01", period=period, territory=territory, breakdown=""
        ).first()
        return found.numerator if found else 0

    assert value("2025", "MA") == 2
    assert value("2025-Q1", "MA") == 1  # Tanger's decision is dated June
    assert value("2025", "04") == 1
    # a correction is a newer record: the latest one on the reference date counts
    add(personas, reference_date=date(2025, 9, 1), value=0, source_document="Annulation")
    aggregates.refresh()
    assert value("2025", "MA") == 1 and value("2025-Q3", "04.441") == 0


def test_programme_figures_are_not_suppressed(personas):
    add(personas)
    aggregates.rebuild()
    result = selectors.figures(statistician(personas), INDICATORS["PG01"], Period(2025), "MA", "")
    assert result.suppressed is False and result.total == 1  # a 1 is shown as 1


def test_bad_records_are_refused_and_nothing_is_written(personas):
    with pytest.raises(ValidationError) as error:
        add(
            personas,
            indicator="IN01",
            value=-1,
            source_document=" ",
            reference_date=date(2100, 1, 1),
        )
    assert set(error.value.message_dict) == {
        "indicator",
        "value",
        "source_document",
        "reference_date",
    }
    with pytest.raises(PermissionDenied):
        services.programme_record_add(
            actor=personas.cppe_sale, indicator="PG01", province=None, reference_date=date(2025, 1, 1),
            value=1, source_document="x",
        )  # fmt: skip
    assert not ProgrammeRecord.objects.exists()


def test_operational_structures_come_from_the_organisations(personas):
    aggregates.rebuild()
    # the personas' two CAPE are operational (created now): counted in the current year
    from django.utils import timezone

    year = str(timezone.localdate().year)
    cell = AggregateCell.objects.get(indicator="PG05", period=year, territory="MA", breakdown="")
    assert cell.numerator == 2


def test_programme_page_records_a_figure(personas, login):
    client = login(personas.admin)
    response = client.post(
        "/indicators/programme/",
        {"indicator": "PG03", "province": "04.441", "reference_date": "2025-05-01", "value": "1",
         "source_document": "Diagnostic provincial de Salé"},
    )  # fmt: skip
    assert response.status_code == 302
    assert ProgrammeRecord.objects.get().indicator == "PG03"
    bad = client.post("/indicators/programme/", {"indicator": "PG03", "value": "x"})
    assert bad.status_code == 400 and ProgrammeRecord.objects.count() == 1
