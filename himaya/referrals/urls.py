"""Pages of the referrals app (under /referrals/)."""

from django.urls import path

from himaya.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("outgoing/", views.outgoing, name="outgoing"),
    path("case/<uuid:case_id>/new/", views.new, name="new"),
    path("<uuid:referral_id>/", views.detail, name="detail"),
    path("<uuid:referral_id>/accept/", views.accept, name="accept"),
    path("<uuid:referral_id>/decline/", views.decline, name="decline"),
    path("<uuid:referral_id>/complete/", views.complete, name="complete"),
    path("<uuid:referral_id>/cancel/", views.cancel, name="cancel"),
]
