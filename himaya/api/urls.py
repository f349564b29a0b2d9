"""REST v1 (api-contract.md). Each domain adds its routes here, served by views in this app
that call the domain's services and selectors."""

from django.urls import path

from himaya.api import views_core

urlpatterns = [
    path("provinces/", views_core.ProvinceList.as_view(), name="api-provinces"),
]
