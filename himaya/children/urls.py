from django.urls import path

from himaya.children import views

app_name = "children"
urlpatterns = [
    path("", views.child_list, name="list"),
    path("search/", views.child_search, name="search"),
    path("duplicates/", views.child_duplicates, name="duplicates"),
    path(
        "merge-requests/<uuid:request_id>/decline/",
        views.child_merge_request_decline,
        name="merge_request_decline",
    ),
    path("<uuid:child_id>/", views.child_detail, name="detail"),
    path("<uuid:child_id>/edit/", views.child_edit, name="edit"),
    path("<uuid:child_id>/break-glass/", views.child_break_glass, name="break_glass"),
    path("<uuid:child_id>/duplicates/", views.child_duplicates_of, name="duplicates_of"),
    path("<uuid:child_id>/merge/<uuid:duplicate_id>/", views.child_merge, name="merge"),
    path("<uuid:child_id>/merge-request/", views.child_merge_request, name="merge_request"),
    path("<uuid:child_id>/unmerge/<uuid:duplicate_id>/", views.child_unmerge, name="unmerge"),
]
