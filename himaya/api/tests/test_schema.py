"""The OpenAPI schema describes the contract's endpoints (api-contract.md, "Schema")."""

import pytest
import yaml

pytestmark = pytest.mark.django_db

CONTRACT_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/provinces/",
    "/api/v1/reports/",
    "/api/v1/reports/{report_id}/",
    "/api/v1/children/",
    "/api/v1/children/match/",
    "/api/v1/children/{child_id}/",
    "/api/v1/cases/",
    "/api/v1/cases/{case_id}/",
    "/api/v1/cases/{case_id}/transitions/",
    "/api/v1/cases/{case_id}/assign/",
    "/api/v1/cases/{case_id}/timeline/",
    "/api/v1/cases/{case_id}/judicial-reports/",
    "/api/v1/cases/{case_id}/judicial-reports/waive/",
    "/api/v1/cases/{case_id}/judicial-measures/",
    "/api/v1/cases/{case_id}/plan-actions/",
    "/api/v1/cases/{case_id}/follow-ups/",
    "/api/v1/audit/",
    "/api/v1/instruments/",
    "/api/v1/cases/{case_id}/assessments/",
    "/api/v1/assessments/{assessment_id}/approve/",
]


def test_schema_lists_the_contract_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    missing = [path for path in CONTRACT_PATHS if path not in schema["paths"]]
    assert not missing, missing
    assert "patch" in schema["paths"]["/api/v1/cases/{case_id}/"]
    assert "bearerAuth" in schema["components"]["securitySchemes"]


def test_docs_page_serves_its_assets_locally(client):
    html = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert 'src="http' not in html and 'href="http' not in html  # no asset from another host
