"""Pages of the placements app (under /placements/)."""

from django.urls import path  # noqa: F401

app_name = "placements"
urlpatterns: list = []
