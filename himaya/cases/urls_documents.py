from django.urls import path

from himaya.cases import views_documents

app_name = "case_documents"
urlpatterns = [
    path("<uuid:case_id>/document/", views_documents.case_document, name="document"),
]
