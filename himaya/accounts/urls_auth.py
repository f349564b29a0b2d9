"""Login, logout and two-factor pages, mounted at /accounts/ by config/urls.py."""

from django.urls import path

from himaya.accounts import views_auth

urlpatterns = [
    path("login/", views_auth.login_view, name="login"),
    path("logout/", views_auth.logout_view, name="logout"),
    path("two-factor/", views_auth.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views_auth.two_factor_verify, name="two_factor_verify"),
]
