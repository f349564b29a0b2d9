"""Actions on a case's care arrangements (under /placements/); shown on the case page."""

from django.urls import path

from himaya.placements import views

app_name = "placements"
urlpatterns = [
    path("cases/<uuid:case_id>/", views.arrangement_open, name="open"),
    path("cases/<uuid:case_id>/<uuid:arrangement_id>/end/", views.arrangement_end, name="end"),
    path("cases/<uuid:case_id>/<uuid:arrangement_id>/events/", views.care_event, name="event"),
    path(
        "cases/<uuid:case_id>/<uuid:arrangement_id>/reviews/",
        views.placement_review,
        name="review",
    ),
]
