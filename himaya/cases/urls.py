"""Pages of the protection circuit. Every action on a case is a POST to its own URL."""

from django.urls import path

from himaya.cases import views

app_name = "cases"
urlpatterns = [
    path("<uuid:case_id>/hearings/", views.hearing_add, name="hearing"),
    path("<uuid:case_id>/relations/", views.relation_add, name="relation_add"),
    path("", views.case_list, name="list"),
    path("intake/", views.intake, name="intake"),
    path("intake/matches/", views.intake_matches, name="intake_matches"),
    path("intake/child/", views.intake_child, name="intake_child"),
    path("my-work/", views.my_work, name="my_work"),
    path("judicial/", views.judicial_inbox, name="judicial_inbox"),
    path("<uuid:case_id>/judicial/", views.judicial_case, name="judicial_case"),
    path("<uuid:case_id>/ls-reports/", views.ls_report_add, name="ls_report"),
    path(
        "<uuid:case_id>/judicial-reports/<uuid:referral_id>/outcome/",
        views.referral_outcome,
        name="referral_outcome",
    ),
    path("overdue/", views.overdue, name="overdue"),
    path("<uuid:case_id>/", views.case_detail, name="detail"),
    path("<uuid:case_id>/transition/", views.case_transition, name="transition"),
    path("<uuid:case_id>/assign/", views.case_assign, name="assign"),
    path("<uuid:case_id>/safety-actions/", views.safety_action_add, name="safety_action"),
    path("<uuid:case_id>/emergency/resolve/", views.emergency_resolve, name="emergency_resolve"),
    path("<uuid:case_id>/judicial-reports/", views.judicial_report, name="judicial_report"),
    path("<uuid:case_id>/judicial-reports/waive/", views.judicial_waive, name="judicial_waive"),
    path("<uuid:case_id>/judicial-measures/", views.judicial_measure, name="judicial_measure"),
    path("<uuid:case_id>/plan-actions/", views.plan_action_add, name="plan_action_add"),
    path(
        "<uuid:case_id>/plan-actions/<uuid:action_id>/",
        views.plan_action_update,
        name="plan_action_update",
    ),
    path("<uuid:case_id>/follow-ups/", views.follow_up_add, name="follow_up"),
    path("<uuid:case_id>/plan-views/", views.plan_views, name="plan_views"),
    path("<uuid:case_id>/information/", views.information_views, name="information_views"),
    path("<uuid:case_id>/transfer/", views.transfer_request, name="transfer_request"),
    path("<uuid:case_id>/transfer/decide/", views.transfer_decide, name="transfer_decide"),
]
