"""REST v1 routes of the directory domain (api-contract.md), included by api/urls.py."""

from django.urls import path

from himaya.api import views_directory as views

urlpatterns = [
    path("services/", views.ServiceList.as_view(), name="api-services"),
    path("institutions/", views.InstitutionList.as_view(), name="api-institutions"),
    path(
        "institutions/suggestions/",
        views.InstitutionSuggestions.as_view(),
        name="api-institution-suggestions",
    ),
    path(
        "institutions/<uuid:institution_id>/",
        views.InstitutionDetail.as_view(),
        name="api-institution",
    ),
]
