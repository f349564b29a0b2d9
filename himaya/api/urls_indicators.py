"""REST v1 routes of the indicators domain (api-contract.md), included by api/urls.py."""

from django.urls import path

from himaya.api import views_indicators

urlpatterns = [
    path("indicators/", views_indicators.IndicatorList.as_view(), name="api-indicators"),
    path(
        "indicators/<str:code>/",
        views_indicators.IndicatorDetail.as_view(),
        name="api-indicator",
    ),
]
