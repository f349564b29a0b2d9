"""REST v1 routes of the indicators domain (api-contract.md), included by api/urls.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
