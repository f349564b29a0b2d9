"""Danger assessment over REST (api-contract.md "Assessment"). Views parse, call a selector or
a service, render."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.access import AUTHENTICATED
from himaya.accounts.permissions import Perm
from himaya.api.idempotency import idempotent
from himaya.assessment import selectors, services
from himaya.assessment.models import Assessment
from himaya.cases import selectors as case_selectors

# The contract's kinds; "initial" is the full assessment of assessment.md §1.
KINDS = {"initial": "full", "full": "full", "reassessment": "reassessment", "closing": "closing"}


class InstrumentSerializer(serializers.Serializer):
    code = serializers.CharField()
    version = serializers.CharField()
    active = serializers.BooleanField()
    status = serializers.CharField()
    provisional = serializers.BooleanField()
    valid_from = serializers.DateField(allow_null=True)


class AssessmentCreateSerializer(serializers.Serializer):
    instrument = serializers.CharField(max_length=40)
    version = serializers.CharField(max_length=20, required=False)
    kind = serializers.ChoiceField(choices=sorted(KINDS))
    flags = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    flag_notes = serializers.DictField(child=serializers.CharField(max_length=4000), required=False)
    # Scores are checked by the instrument (range, missing, unknown dimension → "scores.D3").
    scores = serializers.DictField(child=serializers.JSONField())
    score_notes = serializers.DictField(
        child=serializers.CharField(max_length=4000), required=False
    )
    level_final = serializers.IntegerField(required=False, allow_null=True)
    override_reason = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    child_views = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    caregiver_views = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    needs = serializers.DictField(child=serializers.CharField(max_length=4000), required=False)
    sources = serializers.ListField(child=serializers.CharField(max_length=40), required=False)


class AssessmentSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    instrument = serializers.CharField(source="instrument_version.instrument.code")
    version = serializers.CharField(source="instrument_version.version")
    kind = serializers.CharField()
    flags = serializers.ListField(child=serializers.CharField())
    scores = serializers.DictField(child=serializers.IntegerField())
    consequence = serializers.IntegerField(allow_null=True)
    likelihood = serializers.IntegerField(allow_null=True)
    level_computed = serializers.IntegerField()
    level_requested = serializers.IntegerField()
    level_final = serializers.IntegerField()
    override_direction = serializers.CharField()
    override_reason = serializers.CharField()
    override_status = serializers.CharField()
    status = serializers.CharField(source="api_status")
    approved_by = serializers.CharField(source="approved_by.username", allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField()
    assessor = serializers.CharField(source="assessor.username")
    child_views = serializers.CharField()
    caregiver_views = serializers.CharField()
    needs = serializers.DictField(child=serializers.CharField())
    completed_at = serializers.DateTimeField()


class AssessmentListSerializer(serializers.Serializer):
    results = AssessmentSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


def _parse(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _fresh(assessment_id) -> Assessment:
    return Assessment.objects.select_related(
        "assessor", "approved_by", "instrument_version__instrument"
    ).get(pk=assessment_id)


class InstrumentList(APIView):
    himaya_access = AUTHENTICATED  # reference data, no personal data

    @extend_schema(responses=InstrumentSerializer(many=True), summary="Assessment instruments")
    def get(self, request):
        rows = [
            {
                "code": v.instrument.code,
                "version": v.version,
                "active": v.status == "active",
                "status": v.status,
                "provisional": v.provisional,
                "valid_from": v.valid_from,
            }
            for v in selectors.instrument_versions()
        ]
        return Response(InstrumentSerializer(rows, many=True).data)


class CaseAssessments(APIView):
    himaya_access = Perm.CHILD_VIEW

    def get_permissions(self):
        if self.request.method == "POST":
            self.himaya_access = Perm.ASSESSMENT_RECORD
        return super().get_permissions()

    @extend_schema(responses=AssessmentListSerializer, summary="A case's assessments, oldest first")
    def get(self, request, case_id):
        case = case_selectors.case_get_for_user(
            request.user, case_id, Perm.CHILD_VIEW, request=request
        )
        rows = selectors.case_assessments(case)
        return Response({"results": AssessmentSerializer(rows, many=True).data, "next": None})

    @extend_schema(
        request=AssessmentCreateSerializer,
        responses={201: AssessmentSerializer},
        summary="Record an assessment (a lowered level waits for a supervisor's approval)",
    )
    @idempotent
    def post(self, request, case_id):
        case = case_selectors.case_get_for_user(
            request.user, case_id, Perm.CHILD_VIEW, request=request, audit=False
        )
        data = dict(_parse(AssessmentCreateSerializer, request))
        data["kind"] = KINDS[data["kind"]]
        with transaction.atomic():
            assessment = services.assessment_record(
                actor=request.user,
                case_id=case.pk,
                data=services.AssessmentInput(**data),
                request=request,
            )
        return Response(
            AssessmentSerializer(_fresh(assessment.pk)).data, status=status.HTTP_201_CREATED
        )


class AssessmentDetail(APIView):
    himaya_access = Perm.CHILD_VIEW

    @extend_schema(responses=AssessmentSerializer, summary="One assessment")
    def get(self, request, assessment_id):
        assessment = selectors.assessment_get_for_user(request.user, assessment_id, request=request)
        return Response(AssessmentSerializer(assessment).data)


class AssessmentApprove(APIView):
    himaya_access = Perm.ASSESSMENT_APPROVE

    @extend_schema(
        request=None,
        responses=AssessmentSerializer,
        summary="Approve a lowered level (supervisor)",
    )
    def post(self, request, assessment_id):
        assessment = selectors.assessment_get_for_user(
            request.user, assessment_id, Perm.ASSESSMENT_APPROVE, request=request
        )
        services.assessment_approve(
            actor=request.user, assessment_id=assessment.pk, request=request
        )
        return Response(AssessmentSerializer(_fresh(assessment.pk)).data)


class AssessmentReject(APIView):
    himaya_access = Perm.ASSESSMENT_APPROVE

    @extend_schema(
        request=RejectSerializer,
        responses=AssessmentSerializer,
        summary="Reject a lowered level, with the reason (supervisor)",
    )
    def post(self, request, assessment_id):
        assessment = selectors.assessment_get_for_user(
            request.user, assessment_id, Perm.ASSESSMENT_APPROVE, request=request
        )
        data = _parse(RejectSerializer, request)
        services.assessment_reject(
            actor=request.user, assessment_id=assessment.pk, reason=data["reason"], request=request
        )
        return Response(AssessmentSerializer(_fresh(assessment.pk)).data)
