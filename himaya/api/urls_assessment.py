"""REST v1 routes of the assessment domain (api-contract.md), included by api/urls.py."""

from django.urls import path

from himaya.api import views_assessment as views

urlpatterns = [
    path("instruments/", views.InstrumentList.as_view(), name="api-instruments"),
    path(
        "cases/<uuid:case_id>/assessments/",
        views.CaseAssessments.as_view(),
        name="api-case-assessments",
    ),
    path(
        "assessments/<uuid:assessment_id>/",
        views.AssessmentDetail.as_view(),
        name="api-assessment",
    ),
    path(
        "assessments/<uuid:assessment_id>/approve/",
        views.AssessmentApprove.as_view(),
        name="api-assessment-approve",
    ),
    path(
        "assessments/<uuid:assessment_id>/reject/",
        views.AssessmentReject.as_view(),
        name="api-assessment-reject",
    ),
]
