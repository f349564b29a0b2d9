"""Pages of the directory app (under /directory/)."""

from django.urls import path

from himaya.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.institution_list, name="list"),
    path("new/", views.institution_create, name="create"),
    path("services/", views.service_catalogue, name="services"),
    path("suggest/", views.suggest, name="suggest"),
    path("map/", views.institution_map, name="map"),
    path("diagnostic/", views.diagnostic_page, name="diagnostic"),
    path("diagnostic/pdf/", views.diagnostic_pdf, name="diagnostic_pdf"),
    path("<uuid:institution_id>/", views.institution_detail, name="detail"),
    path("<uuid:institution_id>/edit/", views.institution_edit, name="edit"),
]
