"""Pages of the referrals app (under /referrals/)."""

from django.urls import path  # noqa: F401

app_name = "referrals"
urlpatterns: list = []
