"""Pages of the assessment app (under /assessments/)."""

from django.urls import path  # noqa: F401

app_name = "assessment"
urlpatterns: list = []
