"""REST v1 routes of the referrals domain (api-contract.md), included by api/urls.py."""

from django.urls import path

from himaya.api import views_referrals as views

urlpatterns = [
    path(
        "cases/<uuid:case_id>/referrals/",
        views.CaseReferralCreate.as_view(),
        name="api-case-referrals",
    ),
    path("referrals/", views.ReferralList.as_view(), name="api-referrals"),
    path("referrals/<uuid:referral_id>/", views.ReferralDetail.as_view(), name="api-referral"),
    path(
        "referrals/<uuid:referral_id>/accept/",
        views.ReferralAccept.as_view(),
        name="api-referral-accept",
    ),
    path(
        "referrals/<uuid:referral_id>/decline/",
        views.ReferralDecline.as_view(),
        name="api-referral-decline",
    ),
    path(
        "referrals/<uuid:referral_id>/complete/",
        views.ReferralComplete.as_view(),
        name="api-referral-complete",
    ),
    path(
        "referrals/<uuid:referral_id>/cancel/",
        views.ReferralCancel.as_view(),
        name="api-referral-cancel",
    ),
]
