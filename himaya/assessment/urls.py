"""Pages of the assessment app (under /assessments/)."""

from django.urls import path

from himaya.assessment import views

app_name = "assessment"
urlpatterns = [
    path("pending/", views.pending_list, name="pending"),
    path("case/<uuid:case_id>/new/", views.assessment_new, name="new"),
    path("case/<uuid:case_id>/preview/", views.assessment_preview, name="preview"),
    path("<uuid:assessment_id>/", views.assessment_detail, name="detail"),
    path("<uuid:assessment_id>/decide/", views.assessment_decide, name="decide"),
]
