"""REST v1 routes of the assessment domain (api-contract.md), included by api/urls.py."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
