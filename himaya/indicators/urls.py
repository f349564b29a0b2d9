"""Pages of the indicators app (under /indicators/)."""

from django.urls import path

from himaya.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("delays/", views.delays, name="delays"),
    path("cape/", views.cape, name="cape"),
    path("exports/", views.export, name="export"),
    path("exports/<uuid:job_id>/", views.export_job, name="export_job"),
    path("exports/<uuid:job_id>/download/", views.export_download, name="export_download"),
    path("programme/", views.programme, name="programme"),
]
