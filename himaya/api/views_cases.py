"""Reports, cases and their circuit over REST (api-contract.md "Reports", "Cases", "Judicial
track", "Plan, referrals, follow-ups"). Views parse, call a selector or a service, render."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.models import Organisation, User
from himaya.accounts.permissions import Perm, has_perm
from himaya.api.idempotency import idempotent
from himaya.api.pagination import KeysetPagination
from himaya.cases import selectors, services
from himaya.cases.models import Case
from himaya.core.models import Province

# --- serializers ---------------------------------------------------------------------------------


class ReporterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    relationship = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    type = serializers.CharField(max_length=40, required=False)


class ReportChildSerializer(serializers.Serializer):
    child_id = serializers.UUIDField(required=False)
    first_name_ar = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name_ar = serializers.CharField(max_length=100, required=False, allow_blank=True)
    first_name_lat = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name_lat = serializers.CharField(max_length=100, required=False, allow_blank=True)
    known_as = serializers.CharField(max_length=150, required=False, allow_blank=True)
    sex = serializers.CharField(max_length=10, required=False, default="unknown")
    birth_date = serializers.DateField(required=False)
    estimated_age = serializers.IntegerField(required=False, min_value=0, max_value=17)
    mother_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    def validate_sex(self, value):
        return {"F": "female", "M": "male"}.get(value, value)


class ReportCreateSerializer(serializers.Serializer):
    received_at = serializers.DateTimeField()
    channel = serializers.CharField(max_length=40)
    province = serializers.CharField(max_length=12)
    reporter = ReporterSerializer(allow_null=True, required=False, default=None)
    concerns = serializers.ListField(child=serializers.CharField(max_length=10), min_length=1)
    immediate_danger_flags = serializers.ListField(
        child=serializers.CharField(max_length=4), required=False, default=list
    )
    narrative = serializers.CharField(max_length=20000)
    children = ReportChildSerializer(many=True, min_length=1)
    offence_suspected = serializers.BooleanField(required=False, allow_null=True, default=None)
    triage_level = serializers.IntegerField(required=False, min_value=1, max_value=3)
    external_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    siblings = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The children named are siblings: their cases are also linked as `sibling`.",
    )

    def validate_province(self, value):
        province = Province.objects.filter(pk=value).first()
        if province is None:
            raise serializers.ValidationError("Unknown territory code.")
        return province


class CaseSummarySerializer(serializers.ModelSerializer):
    child_id = serializers.UUIDField()

    class Meta:
        model = Case
        fields = ["id", "number", "child_id", "stage", "risk_level"]


class CaseSerializer(serializers.ModelSerializer):
    child = serializers.SerializerMethodField()
    province = serializers.CharField(source="province_id")
    organisation = serializers.CharField(source="organisation.code")
    assigned_to = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "child",
            "province",
            "organisation",
            "stage",
            "risk_level",
            "triage_level",
            "assigned_to",
            "opened_at",
            "closed_at",
            "emergency_status",
            "judicial_status",
            "offence_suspected",
            "version",
        ]

    def get_child(self, case) -> dict:
        child = case.child
        return {
            "id": str(child.pk),
            "display_name": child.display_name,
            "sex": child.sex,
            "birth_date": child.birth_date.isoformat() if child.birth_date else None,
        }

    def get_assigned_to(self, case) -> dict:
        return {
            "case_manager": case.case_manager.username if case.case_manager else None,
            "evaluator": case.evaluator.username if case.evaluator else None,
        }


class CaseLinkSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["same_report", "sibling", "same_household", "previous_episode"]
    )
    case_id = serializers.UUIDField(allow_null=True, help_text="null when outside your scope")
    number = serializers.CharField(allow_null=True)
    stage = serializers.CharField(allow_null=True)


class CaseDetailSerializer(CaseSerializer):
    allowed_transitions = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    tasks = serializers.SerializerMethodField()
    judicial = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "allowed_transitions",
            "deadlines",
            "tasks",
            "judicial",
            "links",
            "information_given",
            "first_child_views",
            "first_views_not_obtained_reason",
            "plan_child_views",
            "plan_views_not_obtained_reason",
            "plan_caregiver_views",
            "caregiver_consent",
            "closure_reason",
        ]

    @extend_schema_field(CaseLinkSerializer(many=True))
    def get_links(self, case) -> list[dict]:
        return CaseLinkSerializer(
            selectors.case_links(self.context["request"].user, case), many=True
        ).data

    def get_allowed_transitions(self, case) -> list[str]:
        return services.allowed_transitions(self.context["request"].user, case)

    def _tasks(self, case):
        if "_tasks" not in self.context:
            self.context["_tasks"] = selectors.tasks_of(case)
        return self.context["_tasks"]

    def get_deadlines(self, case) -> list[dict]:
        now = timezone.now()
        kinds = {
            "assign_case",
            "first_contact",
            "full_assessment",
            "case_plan",
            "follow_up",
            "reassessment",
        }
        return [
            {
                "kind": t.kind,
                "due_at": t.due_at,
                "done_at": t.done_at,
                "overdue": t.status == "open" and t.due_at < now,
            }
            for t in self._tasks(case)
            if t.kind in kinds
        ]

    def get_tasks(self, case) -> list[dict]:
        now = timezone.now()
        return [
            {
                "kind": t.kind,
                "status": t.status,
                "due_at": t.due_at,
                "overdue": t.status == "open" and t.due_at < now,
                "blocking_closure": t.blocking_closure,
            }
            for t in self._tasks(case)
        ]

    def get_judicial(self, case) -> dict:
        return {
            "status": case.judicial_status,
            "reports": [
                {
                    "id": str(r.pk),
                    "court": r.court,
                    "sent_at": r.sent_at,
                    "reference": r.reference,
                    "type": r.referral_type,
                    "outcome": r.outcome,
                    "outcome_on": r.outcome_on,
                }
                for r in case.judicial_referrals.order_by("sent_at")
            ],
            "measures": [
                {
                    "type": m.measure_type,
                    "decided_at": m.decided_at,
                    "starts_on": m.starts_on,
                    "ends_on": m.ends_on,
                    "status": m.status,
                }
                for m in case.judicial_measures.order_by("decided_at")
            ],
            "ls_reports": [
                {
                    "period_start": r.period_start,
                    "period_end": r.period_end,
                    "sent_on": r.sent_on,
                    "reference": r.reference,
                }
                for r in case.ls_reports.order_by("period_start")
            ],
        }


def _case_response(request, case: Case, *, status_code=200) -> Response:
    """The case as the caller may see it: the full detail with CHILD_VIEW, else the summary."""
    case = selectors.case_refresh(case)
    serializer = (
        CaseDetailSerializer if has_perm(request.user, Perm.CHILD_VIEW, case) else CaseSerializer
    )
    response = Response(serializer(case, context={"request": request}).data, status=status_code)
    response["ETag"] = f'"{case.version}"'
    return response


def _if_match(request) -> int:
    raw = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    if not raw:
        raise ValidationError({"If-Match": ["Send the version you edited as If-Match."]})
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"If-Match": ["The version is a whole number."]}) from None


def _parse(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- reports -------------------------------------------------------------------------------------


class ReportCreateResponse(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()
    cases = CaseSummarySerializer(many=True)
    possible_duplicates = serializers.ListField(child=serializers.DictField())


class ReportList(APIView):
    himaya_access = Perm.REPORT_CREATE

    @extend_schema(
        request=ReportCreateSerializer,
        responses={201: ReportCreateResponse},
        summary="Register a report; one case per child",
    )
    @idempotent
    def post(self, request):
        data = _parse(ReportCreateSerializer, request)
        children = [services.ChildInput(**child) for child in data.pop("children")]
        report, cases = services.report_create(
            actor=request.user,
            data=services.ReportInput(children=children, **data),
            request=request,
        )
        duplicates = _possible_duplicates(request.user, children, cases)
        body = {
            "id": str(report.pk),
            "number": report.number,
            "cases": CaseSummarySerializer(cases, many=True).data,
            "possible_duplicates": duplicates,
        }
        return Response(body, status=status.HTTP_201_CREATED)


def _possible_duplicates(user, children, cases) -> list[dict]:
    from himaya.children import selectors as child_selectors

    found = []
    for child_input, case in zip(children, cases, strict=True):
        if child_input.child_id is not None:
            continue
        for candidate in child_selectors.children_match_candidates(user, case.child, limit=5):
            found.append(
                {
                    "child_id": str(candidate["child_id"]),
                    "score": candidate["score"],
                    "for_child_id": str(case.child_id),
                }
            )
    return found


class ReportDetailResponse(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()
    channel = serializers.CharField()
    received_at = serializers.DateTimeField()
    province = serializers.CharField()
    concerns = serializers.ListField(child=serializers.CharField())
    immediate_danger_flags = serializers.ListField(child=serializers.CharField())
    offence_suspected = serializers.BooleanField()
    status = serializers.CharField()
    cases = serializers.ListField(child=serializers.DictField())
    narrative = serializers.CharField(required=False, help_text="Only for the case team.")
    reporter = ReporterSerializer(
        required=False, allow_null=True, help_text="Only for the case team; null when anonymous."
    )


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    actor = serializers.CharField(allow_null=True)
    transition = serializers.CharField()
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    reason = serializers.CharField()
    data = serializers.DictField()


class TimelineResponse(serializers.Serializer):
    results = TimelineEventSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class ReportDetail(APIView):
    himaya_access = Perm.CHILD_VIEW_SUMMARY

    @extend_schema(
        responses=ReportDetailResponse,
        summary="A report (only through a case the caller may see)",
    )
    def get(self, request, report_id):
        report = selectors.report_get_for_user(request.user, report_id)
        visible = selectors.cases_visible_to(request.user, Perm.CHILD_VIEW_SUMMARY)
        sees_reporter = (
            selectors.cases_visible_to(request.user, Perm.CHILD_VIEW)
            .filter(reports=report)
            .exists()
        )
        body = {
            "id": str(report.pk), "number": report.number, "channel": report.channel, "received_at": report.received_at,
            "province": report.province_id, "concerns": report.concerns, "immediate_danger_flags": report.immediate_danger_flags,
            "offence_suspected": report.offence_suspected, "status": report.status,
            "cases": [{"id": str(c.pk), "number": c.number} for c in report.cases.filter(pk__in=visible)],
        }  # fmt: skip
        if sees_reporter:
            body["narrative"] = report.narrative
            body["reporter"] = (
                None
                if report.reporter_anonymous
                else {
                    "name": report.reporter_name,
                    "relationship": report.reporter_relationship,
                    "phone": report.reporter_phone,
                }
            )
        return Response(body)


# --- cases ---------------------------------------------------------------------------------------


class CaseList(APIView):
    himaya_access = Perm.CHILD_VIEW_SUMMARY

    @extend_schema(
        parameters=[
            OpenApiParameter(name, str, required=False)
            for name in (
                "province",
                "stage",
                "risk_level",
                "assigned_to",
                "overdue",
                "page_size",
                "cursor",
            )
        ],
        responses=CaseSerializer(many=True),
        summary="Cases in the caller's scope",
    )
    def get(self, request):
        queryset = selectors.cases_visible_to(request.user, Perm.CHILD_VIEW_SUMMARY).select_related(
            "child", "organisation", "case_manager", "evaluator"
        )
        params = request.query_params
        if params.get("province"):
            queryset = queryset.filter(province_id=params["province"])
        if params.get("stage"):
            if params["stage"] not in (
                "reception",
                "assessment",
                "planning",
                "accompaniment",
                "follow_up",
                "closed",
            ):
                raise ValidationError({"stage": ["Unknown stage."]})
            queryset = queryset.filter(stage=params["stage"])
        if params.get("risk_level"):
            if params["risk_level"] not in ("0", "1", "2", "3"):
                raise ValidationError({"risk_level": ["The level is 0, 1, 2 or 3."]})
            queryset = queryset.filter(risk_level=int(params["risk_level"]))
        if params.get("assigned_to") == "me":
            queryset = queryset.filter(selectors._assigned(request.user.pk))
        elif params.get("assigned_to"):
            raise ValidationError({"assigned_to": ["Only 'me' is supported."]})
        if params.get("overdue") == "true":
            queryset = queryset.filter(
                tasks__status="open", tasks__due_at__lt=timezone.now()
            ).distinct()
        paginator = KeysetPagination()
        paginator.ordering = ("-opened_at", "-id")
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(CaseSerializer(page, many=True).data)


class CasePatchSerializer(serializers.Serializer):
    plan_child_views = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    plan_views_not_obtained_reason = serializers.CharField(
        max_length=40, required=False, allow_blank=True
    )
    caregiver_consent = serializers.CharField(max_length=10, required=False, allow_blank=True)
    plan_caregiver_views = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    information_given = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    first_child_views = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    first_views_not_obtained_reason = serializers.CharField(
        max_length=40, required=False, allow_blank=True
    )


class CaseDetail(APIView):
    himaya_access = Perm.CHILD_VIEW

    @extend_schema(
        responses=CaseDetailSerializer,
        summary="One case, with allowed transitions, deadlines and tasks",
    )
    def get(self, request, case_id):
        return _case_response(
            request, selectors.case_get_for_user(request.user, case_id, request=request)
        )

    @extend_schema(
        request=CasePatchSerializer,
        responses=CaseDetailSerializer,
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, required=True)],
    )
    def patch(self, request, case_id):
        case = selectors.case_get_for_user(request.user, case_id, request=request)
        version = _if_match(request)
        data = _parse(CasePatchSerializer, request)
        if not data:
            raise ValidationError({"non_field_errors": ["Nothing to change."]})
        case = services.case_update(
            actor=request.user, case_id=case.pk, version=version, request=request, **data
        )
        return _case_response(request, case)


class ClosureSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=40)
    goals_outcome = serializers.CharField(max_length=40, required=False, allow_blank=True)
    living_situation = serializers.CharField(max_length=40, required=False, allow_blank=True)
    education_status = serializers.CharField(max_length=40, required=False, allow_blank=True)
    child_views = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    views_not_obtained_reason = serializers.CharField(
        max_length=40, required=False, allow_blank=True
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(
        choices=["reception", "assessment", "planning", "accompaniment", "follow_up", "closed"]
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    closure = ClosureSerializer(required=False)


class CaseTransitionView(APIView):
    himaya_access = Perm.CHILD_VIEW

    @extend_schema(
        request=TransitionSerializer,
        responses={200: CaseDetailSerializer},
        summary="Move the case along the workflow (409 names the unmet guard)",
    )
    def post(self, request, case_id):
        case = selectors.case_get_for_user(request.user, case_id, request=request, audit=False)
        data = _parse(TransitionSerializer, request)
        version = _if_match(request) if request.headers.get("If-Match") else None
        case = services.case_transition(
            actor=request.user,
            case_id=case.pk,
            to=data["to"],
            reason=data["reason"],
            closure=data.get("closure"),
            version=version,
            request=request,
        )
        return _case_response(request, case)


class AssignSerializer(serializers.Serializer):
    user = serializers.CharField(max_length=150)


# "as" is a Python keyword: the contract's field is declared outside the class body.
AssignSerializer._declared_fields["as"] = serializers.ChoiceField(
    choices=["case_manager", "evaluator"]
)


class CaseAssignView(APIView):
    himaya_access = Perm.CASE_ASSIGN

    @extend_schema(
        request=AssignSerializer,
        responses=CaseDetailSerializer,
        summary="Assign a case manager or an evaluator",
    )
    def post(self, request, case_id):
        case = selectors.case_get_for_user(
            request.user, case_id, Perm.CASE_ASSIGN, request=request, audit=False
        )
        data = _parse(AssignSerializer, request)
        user = User.objects.filter(username=data["user"], is_active=True).first()
        if user is None:
            raise ValidationError({"user": ["No active user has this username."]})
        case = services.case_assign(
            actor=request.user, case_id=case.pk, user=user, as_role=data["as"], request=request
        )
        return _case_response(request, case)


class CaseTimeline(APIView):
    himaya_access = Perm.CHILD_VIEW

    @extend_schema(responses=TimelineResponse, summary="Every event of the case, newest first")
    def get(self, request, case_id):
        case = selectors.case_get_for_user(request.user, case_id, request=request)
        events = [
            {"at": e.at, "kind": e.kind, "actor": e.actor.username if e.actor else None, "transition": e.transition, "from_stage": e.from_stage, "to_stage": e.to_stage, "reason": e.reason, "data": e.data}
            for e in selectors.case_timeline(case)
        ]  # fmt: skip
        return Response({"results": events, "next": None})


# --- judicial, plan, follow-ups, emergency -------------------------------------------------------


class JudicialReportSerializer(serializers.Serializer):
    court = serializers.CharField(max_length=200)
    sent_at = serializers.DateTimeField()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    referral_type = serializers.CharField(max_length=30, required=False, default="offence_report")
    transmission = serializers.CharField(
        max_length=30, required=False, allow_blank=True, default=""
    )
    cover_linked = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The same report also covers the cases linked as siblings or by the same report.",
    )


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    reason_code = serializers.CharField(max_length=40, required=False, default="other")


class MeasureSerializer(serializers.Serializer):
    type = serializers.CharField(max_length=40)
    decided_at = serializers.DateField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    review_on = serializers.DateField(required=False, allow_null=True, default=None)
    institution = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    received_on = serializers.DateField(required=False, allow_null=True, default=None)


class PlanActionSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=40)
    goal = serializers.CharField(max_length=300)
    due_on = serializers.DateField()
    responsible_org = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )


class FollowUpSerializer(serializers.Serializer):
    happened_at = serializers.DateTimeField()
    kind = serializers.CharField(max_length=30)
    child_seen = serializers.BooleanField()
    notes = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    new_concern = serializers.BooleanField(required=False, default=False)


class SafetyActionSerializer(serializers.Serializer):
    action_type = serializers.CharField(max_length=40)
    requested_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    outcome = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


def _organisation(code: str, field: str) -> Organisation | None:
    if not code:
        return None
    organisation = Organisation.objects.filter(code=code, active=True).first()
    if organisation is None:
        raise ValidationError({field: ["No active organisation has this code."]})
    return organisation


class _CaseAction(APIView):
    """POST that creates something on a case and answers 201 with the case. Subclasses set
    `serializer_class` and define `perform(request, case, data)`, which calls one service."""

    himaya_access = Perm.CHILD_VIEW
    read_perm = Perm.CHILD_VIEW  # what the caller must hold to reach the case at all
    serializer_class: type[serializers.Serializer]

    @idempotent
    def post(self, request, case_id):
        case = selectors.case_get_for_user(
            request.user, case_id, self.read_perm, request=request, audit=False
        )
        data = _parse(self.serializer_class, request)
        with transaction.atomic():
            self.perform(request, case, data)
        return _case_response(request, case, status_code=201)


class JudicialReportCreate(_CaseAction):
    himaya_access = Perm.JUDICIAL_RECORD
    read_perm = Perm.CHILD_VIEW_SUMMARY  # the judicial liaison works on the judicial track
    serializer_class = JudicialReportSerializer

    @extend_schema(
        request=JudicialReportSerializer,
        responses={201: CaseDetailSerializer},
        summary="Record a report to the prosecutor",
    )
    def post(self, request, case_id):
        return super().post(request, case_id)

    def perform(self, request, case, data):
        services.judicial_report_record(
            actor=request.user, case_id=case.pk, request=request, **data
        )


class JudicialWaive(_CaseAction):
    himaya_access = Perm.JUDICIAL_WAIVE
    serializer_class = WaiveSerializer

    @extend_schema(
        request=WaiveSerializer,
        responses={201: CaseDetailSerializer},
        summary="Waive the mandatory report (supervisor, with a reason)",
    )
    def post(self, request, case_id):
        return super().post(request, case_id)

    def perform(self, request, case, data):
        services.judicial_task_waive(
            actor=request.user,
            case_id=case.pk,
            reason_code=data["reason_code"],
            note=data["reason"],
            request=request,
        )


class JudicialMeasureCreate(_CaseAction):
    himaya_access = Perm.JUDICIAL_RECORD
    read_perm = Perm.CHILD_VIEW_SUMMARY
    serializer_class = MeasureSerializer

    @extend_schema(
        request=MeasureSerializer,
        responses={201: CaseDetailSerializer},
        summary="Record a judicial measure",
    )
    def post(self, request, case_id):
        return super().post(request, case_id)

    def perform(self, request, case, data):
        services.judicial_measure_add(
            actor=request.user, case_id=case.pk, measure_type=data["type"], decided_at=data["decided_at"],
            starts_on=data["starts_on"], ends_on=data["ends_on"], review_on=data["review_on"], institution=_organisation(data["institution"], "institution"),
            received_on=data["received_on"], request=request,
        )  # fmt: skip


class PlanActionCreate(_CaseAction):
    himaya_access = Perm.CASE_WORK
    serializer_class = PlanActionSerializer

    @extend_schema(
        request=PlanActionSerializer,
        responses={201: CaseDetailSerializer},
        summary="Add an action to the case plan",
    )
    def post(self, request, case_id):
        return super().post(request, case_id)

    def perform(self, request, case, data):
        services.plan_action_add(
            actor=request.user, case_id=case.pk, service=data["service"], goal=data["goal"], due_on=data["due_on"],
            responsible_org=_organisation(data["responsible_org"], "responsible_org"), request=request,
        )  # fmt: skip


class FollowUpCreate(_CaseAction):
    himaya_access = Perm.CASE_WORK
    serializer_class = FollowUpSerializer

    @extend_schema(
        request=FollowUpSerializer,
        responses={201: CaseDetailSerializer},
        summary="Record a follow-up contact",
    )
    def post(self, request, case_id):
        return super().post(request, case_id)

    def perform(self, request, case, data):
        services.follow_up_add(actor=request.user, case_id=case.pk, request=request, **data)


class SafetyActionCreate(_CaseAction):
    himaya_access = Perm.CASE_WORK
    serializer_class = SafetyActionSerializer

    @extend_schema(
        request=SafetyActionSerializer,
        responses={201: CaseDetailSerializer},
        summary="Record an emergency safety action",
    )
    def post(self, request, case_id):
        return super().post(request, case_id)

    def perform(self, request, case, data):
        services.safety_action_add(actor=request.user, case_id=case.pk, request=request, **data)


class LSReportSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    sent_on = serializers.DateField()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    summary = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
    compliance = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    recommendation = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    measure = serializers.UUIDField(required=False, allow_null=True, default=None)


class LSReportCreate(_CaseAction):
    himaya_access = Perm.JUDICIAL_RECORD
    read_perm = Perm.CHILD_VIEW_SUMMARY
    serializer_class = LSReportSerializer

    @extend_schema(
        request=LSReportSerializer,
        responses={201: CaseDetailSerializer},
        summary="Record a quarterly supervised-liberty report (completes the task due)",
    )
    def post(self, request, case_id):
        return super().post(request, case_id)

    def perform(self, request, case, data):
        measure = data.pop("measure")
        services.ls_report_record(
            actor=request.user, case_id=case.pk, measure_id=measure, request=request, **data
        )


class ReferralOutcomeSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=30)
    outcome_on = serializers.DateField()
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ReferralOutcomeView(APIView):
    himaya_access = Perm.JUDICIAL_RECORD

    @extend_schema(
        request=ReferralOutcomeSerializer,
        responses={200: CaseDetailSerializer},
        summary="Record the prosecutor's answer to a report",
    )
    def post(self, request, case_id, referral_id):
        case = selectors.case_get_for_user(
            request.user, case_id, Perm.CHILD_VIEW_SUMMARY, request=request, audit=False
        )
        referral = case.judicial_referrals.filter(pk=referral_id).first()
        if referral is None:
            raise NotFound
        data = _parse(ReferralOutcomeSerializer, request)
        services.judicial_referral_outcome(
            actor=request.user, referral_id=referral.pk, request=request, **data
        )
        return _case_response(request, case)
