from django.urls import path

from himaya.accounts import views

app_name = "accounts"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisations"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<uuid:organisation_id>/", views.organisation_detail, name="organisation"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user"),
    path("users/<int:user_id>/memberships/", views.membership_add, name="membership_add"),
    path(
        "memberships/<uuid:membership_id>/deactivate/",
        views.membership_deactivate,
        name="membership_deactivate",
    ),
]
