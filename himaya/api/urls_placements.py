"""REST v1 routes of the placements domain, included by api/urls.py."""

from django.urls import path

from himaya.api import views_placements as views

urlpatterns = [
    path(
        "cases/<uuid:case_id>/care-arrangements/",
        views.CaseArrangements.as_view(),
        name="api-case-care-arrangements",
    ),
    path(
        "care-arrangements/<uuid:arrangement_id>/end/",
        views.ArrangementEnd.as_view(),
        name="api-care-arrangement-end",
    ),
    path(
        "care-arrangements/<uuid:arrangement_id>/events/",
        views.ArrangementEvent.as_view(),
        name="api-care-arrangement-events",
    ),
    path(
        "care-arrangements/<uuid:arrangement_id>/reviews/",
        views.ArrangementReview.as_view(),
        name="api-care-arrangement-reviews",
    ),
]
