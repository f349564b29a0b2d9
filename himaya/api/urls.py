"""REST v1 (api-contract.md). Each domain adds its routes here, served by views in this app
that call the domain's services and selectors."""

from django.urls import include, path

from himaya.api import views_audit, views_auth, views_cases, views_children, views_core

urlpatterns = [
    path("auth/token/", views_auth.TokenObtainView.as_view(), name="api-auth-token"),
    path("auth/token/revoke/", views_auth.TokenRevokeView.as_view(), name="api-auth-token-revoke"),
    path("provinces/", views_core.ProvinceList.as_view(), name="api-provinces"),
    path("children/", views_children.ChildList.as_view(), name="api-children"),
    path("children/match/", views_children.ChildMatch.as_view(), name="api-children-match"),
    path(
        "children/duplicates/",
        views_children.ChildDuplicates.as_view(),
        name="api-children-duplicates",
    ),
    path("children/<uuid:child_id>/", views_children.ChildDetail.as_view(), name="api-child"),
    path(
        "children/<uuid:child_id>/merge/",
        views_children.ChildMergeView.as_view(),
        name="api-child-merge",
    ),
    path(
        "children/<uuid:child_id>/unmerge/",
        views_children.ChildUnmergeView.as_view(),
        name="api-child-unmerge",
    ),
    path(
        "children/<uuid:child_id>/merge-requests/",
        views_children.ChildMergeRequestCreate.as_view(),
        name="api-child-merge-requests",
    ),
    path("merge-requests/", views_children.MergeRequestList.as_view(), name="api-merge-requests"),
    path(
        "merge-requests/<uuid:request_id>/decline/",
        views_children.MergeRequestDecline.as_view(),
        name="api-merge-request-decline",
    ),
    path(
        "children/<uuid:child_id>/merges/",
        views_children.ChildMergeList.as_view(),
        name="api-child-merges",
    ),
    path("audit/", views_audit.AuditEventList.as_view(), name="api-audit"),
    path("reports/", views_cases.ReportList.as_view(), name="api-reports"),
    path("reports/<uuid:report_id>/", views_cases.ReportDetail.as_view(), name="api-report"),
    path("cases/", views_cases.CaseList.as_view(), name="api-cases"),
    path("cases/<uuid:case_id>/", views_cases.CaseDetail.as_view(), name="api-case"),
    path(
        "cases/<uuid:case_id>/transitions/",
        views_cases.CaseTransitionView.as_view(),
        name="api-case-transitions",
    ),
    path(
        "cases/<uuid:case_id>/assign/", views_cases.CaseAssignView.as_view(), name="api-case-assign"
    ),
    path(
        "cases/<uuid:case_id>/timeline/",
        views_cases.CaseTimeline.as_view(),
        name="api-case-timeline",
    ),
    path(
        "cases/<uuid:case_id>/judicial-reports/",
        views_cases.JudicialReportCreate.as_view(),
        name="api-case-judicial-reports",
    ),
    path(
        "cases/<uuid:case_id>/judicial-reports/waive/",
        views_cases.JudicialWaive.as_view(),
        name="api-case-judicial-waive",
    ),
    path(
        "cases/<uuid:case_id>/judicial-measures/",
        views_cases.JudicialMeasureCreate.as_view(),
        name="api-case-judicial-measures",
    ),
    path(
        "cases/<uuid:case_id>/judicial-reports/<uuid:referral_id>/outcome/",
        views_cases.ReferralOutcomeView.as_view(),
        name="api-case-judicial-report-outcome",
    ),
    path(
        "cases/<uuid:case_id>/ls-reports/",
        views_cases.LSReportCreate.as_view(),
        name="api-case-ls-reports",
    ),
    path(
        "cases/<uuid:case_id>/plan-actions/",
        views_cases.PlanActionCreate.as_view(),
        name="api-case-plan-actions",
    ),
    path(
        "cases/<uuid:case_id>/follow-ups/",
        views_cases.FollowUpCreate.as_view(),
        name="api-case-follow-ups",
    ),
    path(
        "cases/<uuid:case_id>/safety-actions/",
        views_cases.SafetyActionCreate.as_view(),
        name="api-case-safety-actions",
    ),
]

# Each domain keeps its routes in its own module so that work on one does not touch the others.
for _domain in ("directory", "assessment", "placements", "referrals", "indicators"):
    urlpatterns.append(path("", include(f"himaya.api.urls_{_domain}")))
