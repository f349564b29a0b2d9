"""Exports: CSV safe against formula injection, XLSX read back, the annual report PDF drawn in
Arabic and French, DHIS2 payloads; each audited with its purpose and run as a job."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import pypdfium2
import pytest
from openpyxl import load_workbook

from himaya.audit.models import AuditEvent
from himaya.indicators import aggregates, exports, services
from himaya.indicators.models import ExportJob
from himaya.indicators.periods import Period
from himaya.indicators.tests.fixtures import SALE, build_world
from himaya.indicators.tests.helpers import statistician

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    w = build_world(personas)
    aggregates.rebuild()
    return w


def run(user, fmt, purpose="Annual report to the governor", **params):
    job = services.export_job_create(
        actor=user, fmt=fmt, params={"period": "2025", **params}, purpose=purpose
    )
    job.refresh_from_db()
    return job


def test_csv_cells_cannot_run_as_formulas():
    assert exports.csv_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in ("+1", "-1", "@SUM(A1)", "\t=1"):
        assert exports.csv_safe(start).startswith("'")
    assert exports.csv_safe("Salé") == "Salé" and exports.csv_safe(5) == 5
    row = exports.Row("IN01", "=cmd|' /C calc'!A0", "report", "count", "2025", SALE, "", "", 3)
    text = exports.to_csv([row]).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][1] == "'=cmd|' /C calc'!A0"


def test_csv_export_runs_as_an_audited_job(world, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_create(
            actor=personas.cppe_sale,
            fmt="csv",
            params={"period": "2025"},
            purpose="Committee meeting",
        )
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100
    table = list(csv.reader(io.StringIO(bytes(job.content).decode("utf-8-sig"))))
    in01 = [r for r in table if r[0] == "IN01" and r[6] == "channel" and r[7] == "channel=2511"]
    assert in01[0][8] == "<5"  # suppressed for the committee member
    event = AuditEvent.objects.get(action="indicators.export", target_id=str(job.id))
    assert event.reason == "Committee meeting" and event.data["format"] == "csv"


def test_xlsx_is_formatted_and_reads_back(world, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = run(personas.supervisor_sale, "xlsx")
    job.refresh_from_db()
    book = load_workbook(io.BytesIO(bytes(job.content)))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    total = next(r for r in rows if r[0] == "IN01" and r[6] in ("", None))
    assert total[8] == 5  # exact for the supervisor, stored as a number
    tm01 = next(r for r in rows if r[0] == "TM01" and r[6] in ("", None))
    assert tm01[8] == 50.0
    assert "Annual report to the governor" in [c.value for c in book.worksheets[1]["B"]]


def dark_fraction(pdf_bytes: bytes) -> float:
    image = pypdfium2.PdfDocument(pdf_bytes)[0].render(scale=1).to_pil().convert("L")
    histogram = image.histogram()
    return sum(histogram[:128]) / sum(histogram)


@pytest.mark.parametrize("language", ["ar", "fr"])
def test_annual_report_pdf_is_drawn_with_its_charts(world, personas, language):
    pdf = exports.annual_report_pdf(personas.cppe_sale, 2025, SALE, language=language)
    assert pdf.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(pdf)
    assert len(document) >= 2
    assert dark_fraction(pdf) > 0.005  # the first page is drawn, not blank
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    # In an Arabic paragraph pdfium extracts the Latin code's run in visual order ("01IN"); the
    # page shows "IN01" (checked by eye on the rendered PNG).
    assert "2025" in text and ("IN01" in text or "01IN" in text)
    images = sum(
        1
        for i in range(len(document))
        for obj in document[i].get_objects()
        if obj.type in (2, 3, 5)
    )
    assert images >= 1  # the charts (SVG drawn as paths or forms)


def test_pdf_needs_a_year_and_a_purpose(world, personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.export_job_create(
            actor=personas.cppe_sale, fmt="pdf", params={"period": "2025-Q1"}, purpose="Report"
        )
    assert "period" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.export_job_create(
            actor=personas.cppe_sale, fmt="csv", params={"period": "2025"}, purpose=""
        )
    assert "purpose" in error.value.message_dict
    assert not ExportJob.objects.exists()


def test_export_outside_scope_or_without_the_right(world, personas):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(Http404):
        services.export_job_create(
            actor=personas.cppe_sale,
            fmt="csv",
            params={"period": "2025", "province": "01.511"},
            purpose="Curiosity",
        )
    with pytest.raises(PermissionDenied):
        services.export_job_create(
            actor=personas.manager_sale, fmt="csv", params={"period": "2025"}, purpose="Curiosity"
        )


def test_export_pages_show_progress_and_download(
    world, personas, login, django_capture_on_commit_callbacks
):
    client = login(personas.supervisor_sale)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/indicators/exports/", {"fmt": "csv", "period": "2025", "purpose": "Monthly review"}
        )
    assert response.status_code == 302
    job = ExportJob.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200 and "100" in page.content.decode()
    download = client.get(f"/indicators/exports/{job.id}/download/")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
    # another user's job does not exist for them
    assert login(personas.cppe_sale).get(f"/indicators/exports/{job.id}/").status_code == 404
    bad = client.post("/indicators/exports/", {"fmt": "csv", "period": "2025", "purpose": ""})
    assert bad.status_code == 400 and ExportJob.objects.count() == 1


def test_dhis2_data_value_set(world, personas):
    user = statistician(personas)
    values = exports.dhis2_values(user, Period(2025), ["MA", "04", SALE])
    payload = json.loads(exports.to_dhis2_json(values, Period(2025)))
    assert payload["dataSet"] == "HMY_CP_MONTHLY" and payload["period"] == "2025"
    national = {(v["dataElement"], v["categoryOptionCombo"]): v["value"]
                for v in payload["dataValues"] if v["orgUnit"] == "MA"}  # fmt: skip
    # nationally 2511 has 2 reports, school 1...: suppressed, so not sent; zeros are sent
    assert ("HMY_IN01_REPORTS", "C2511") not in national
    assert national[("HMY_IN01_REPORTS", "HEALTH")] == "0"
    # TM03 nationally: 1 of 2 → its numerator is small, so the proportion is suppressed and
    # neither number is exported
    assert ("HMY_TM03_NUM", "default") not in national
    # suppressed cells are left out, never sent as 0
    assert all(v["value"] not in ("<5", "") for v in payload["dataValues"])
    assert {v["orgUnit"] for v in payload["dataValues"]} <= {"MA", "MA_04", "MA_04.441"}
    assert exports.dhis2_period(Period(2025, month=3)) == "202503"
    assert exports.dhis2_period(Period(2025, quarter=2)) == "2025Q2"


def test_dhis2_exact_for_a_supervisor_and_adx(world, personas):
    values = exports.dhis2_values(personas.supervisor_sale, Period(2025), [SALE])
    found = {(v.data_element, v.options): v.value for v in values}
    assert found[("HMY_TM01_NUM", ())] == 1 and found[("HMY_TM01_DEN", ())] == 2
    assert found[("HMY_IN02_CHILDREN_REPORTED", (("HMY_SEX", "F"), ("HMY_AGE", "Y06_11")))] == 1
    root = ET.fromstring(exports.to_adx(values, Period(2025)))
    ns = {"adx": exports.ADX_NS}
    group = root.find("adx:group", ns)
    assert group.get("orgUnit") == "MA_04.441" and group.get("period") == "2025-01-01/P1Y"
    value = next(
        v for v in group.findall("adx:dataValue", ns)
        if v.get("dataElement") == "HMY_IN02_CHILDREN_REPORTED" and v.get("HMY_SEX") == "F"
        and v.get("HMY_AGE") == "Y06_11"
    )  # fmt: skip
    assert value.get("value") == "1"


def test_mapping_names_only_known_indicators_and_categories():
    from himaya.indicators.registry import DIMENSIONS, INDICATORS

    mapping = exports.dhis2_mapping()
    for code, target in mapping["data_elements"].items():
        assert code in INDICATORS
        for name in target.get("by", []):
            assert name in INDICATORS[code].dims and name in mapping["categories"]
            assert set(mapping["categories"][name]["options"]) == set(DIMENSIONS[name].values())


def test_with_a_task_worker_the_export_waits_for_it(
    world, personas, django_capture_on_commit_callbacks, settings
):
    """USE_TASK_WORKER=1: the request only queues the job; the worker runs it. (Changing TASKS
    resets Django's task backends: django/tasks/signals.py.) The worker's own `run_task` runs
    the queued row here: its loop would close the test's transaction-bound connection."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_create(
            actor=personas.cppe_sale, fmt="csv", params={"period": "2025"},
            purpose="Committee meeting",
        )  # fmt: skip
    job.refresh_from_db()
    assert job.status != "done" and not job.content  # queued, not run in the request
    (queued,) = DBTaskResult.objects.ready()
    worker = Worker(
        queue_names=["default"], interval=0, batch=True, backend_name="default",
        startup_delay=False, max_tasks=1, worker_id="test", excluded_queue_names=[],
    )  # fmt: skip
    worker.run_task(queued)
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.content
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
