"""REST v1 for care arrangements (free design; api-contract.md leaves it open). Thin: the case
is reached through `cases.selectors.case_get_for_user` (404 outside scope), writes go through
`placements.services`."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.permissions import Perm
from himaya.api.idempotency import idempotent
from himaya.api.views_cases import _organisation, _parse
from himaya.cases import selectors as case_selectors
from himaya.children.models import Person
from himaya.placements import selectors, services
from himaya.placements.models import CareArrangement, CareEvent, PlacementReview


class ArrangementSerializer(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case_id", read_only=True)
    provider_org = serializers.SlugRelatedField(slug_field="code", read_only=True)
    carer = serializers.UUIDField(source="carer_id", read_only=True, allow_null=True)
    judicial_measure = serializers.UUIDField(
        source="judicial_measure_id", read_only=True, allow_null=True
    )
    active = serializers.BooleanField(read_only=True)

    class Meta:
        model = CareArrangement
        fields = [
            "id", "case", "care_type", "legal_basis", "provider_org", "carer", "judicial_measure",
            "start_date", "planned_end_date", "end_date", "end_reason", "is_primary",
            "next_review_due", "active", "version",
        ]  # fmt: skip


class ArrangementList(serializers.Serializer):
    results = ArrangementSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class ArrangementCreateSerializer(serializers.Serializer):
    care_type = serializers.CharField(max_length=30)
    legal_basis = serializers.CharField(max_length=30)
    start_date = serializers.DateField()
    provider_org = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    carer = serializers.UUIDField(required=False, allow_null=True, default=None)
    judicial_measure = serializers.UUIDField(required=False, allow_null=True, default=None)
    planned_end_date = serializers.DateField(required=False, allow_null=True, default=None)
    is_primary = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ArrangementEndSerializer(serializers.Serializer):
    end_date = serializers.DateField()
    end_reason = serializers.CharField(max_length=30)


class CareEventSerializer(serializers.Serializer):
    event_type = serializers.ChoiceField(choices=CareEvent.Type.choices)
    at = serializers.DateTimeField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class PlacementReviewSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField()
    child_seen = serializers.BooleanField()
    recommendation = serializers.ChoiceField(choices=PlacementReview.Recommendation.choices)
    child_views = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, default=""
    )
    views_not_obtained_reason = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


def _related(case, data):
    carer = measure = None
    if data["carer"]:
        carer = Person.objects.filter(pk=data["carer"], relations__child=case.child).first()
        if carer is None:
            raise ValidationError({"carer": ["This person is not recorded in the child's family."]})
    if data["judicial_measure"]:
        measure = case.judicial_measures.filter(pk=data["judicial_measure"]).first()
        if measure is None:
            raise ValidationError({"judicial_measure": ["No decision of this case has this id."]})
    return carer, measure


class CaseArrangements(APIView):
    himaya_access = Perm.CHILD_VIEW

    @extend_schema(responses={200: ArrangementList}, summary="The child's care arrangements")
    def get(self, request, case_id):
        case = case_selectors.case_get_for_user(
            request.user, case_id, Perm.CHILD_VIEW, request=request
        )
        rows = selectors.arrangements_of_child(request.user, case.child_id)
        return Response({"results": ArrangementSerializer(rows, many=True).data, "next": None})

    @extend_schema(
        request=ArrangementCreateSerializer,
        responses={201: ArrangementSerializer},
        summary="Record where and with whom the child now lives",
    )
    @idempotent
    def post(self, request, case_id):
        case = case_selectors.case_get_for_user(
            request.user, case_id, Perm.CHILD_VIEW, request=request, audit=False
        )
        data = _parse(ArrangementCreateSerializer, request)
        carer, measure = _related(case, data)
        with transaction.atomic():
            arrangement = services.care_arrangement_open(
                actor=request.user, case_id=case.pk, care_type=data["care_type"],
                legal_basis=data["legal_basis"], start_date=data["start_date"],
                provider_org=_organisation(data["provider_org"], "provider_org"), carer=carer,
                judicial_measure=measure, planned_end_date=data["planned_end_date"],
                is_primary=data["is_primary"], note=data["note"], request=request,
            )  # fmt: skip
        return Response(ArrangementSerializer(arrangement).data, status=201)


class _ArrangementAction(APIView):
    """POST on one arrangement: reached through its case (404 outside scope)."""

    himaya_access = Perm.CASE_WORK
    serializer_class: type[serializers.Serializer]

    def _arrangement(self, request, arrangement_id) -> CareArrangement:
        case_id = (
            CareArrangement.objects.filter(pk=arrangement_id)
            .values_list("case_id", flat=True)
            .first()
        )
        if case_id is None:
            raise Http404
        case_selectors.case_get_for_user(
            request.user, case_id, Perm.CHILD_VIEW, request=request, audit=False
        )
        return CareArrangement.objects.get(pk=arrangement_id)

    @idempotent
    def post(self, request, arrangement_id):
        arrangement = self._arrangement(request, arrangement_id)
        data = _parse(self.serializer_class, request)
        with transaction.atomic():
            self.perform(request, arrangement, data)
        arrangement.refresh_from_db()
        return Response(ArrangementSerializer(arrangement).data, status=201)


class ArrangementEnd(_ArrangementAction):
    serializer_class = ArrangementEndSerializer

    @extend_schema(
        request=ArrangementEndSerializer,
        responses={201: ArrangementSerializer},
        summary="End a care arrangement (If-Match: its version, optional)",
    )
    def post(self, request, arrangement_id):
        return super().post(request, arrangement_id)

    def perform(self, request, arrangement, data):
        raw = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
        if raw and not raw.isdigit():
            raise ValidationError({"If-Match": ["The version is a whole number."]})
        services.care_arrangement_end(
            actor=request.user, arrangement_id=arrangement.pk, version=int(raw) if raw else None,
            request=request, **data,
        )  # fmt: skip


class ArrangementEvent(_ArrangementAction):
    serializer_class = CareEventSerializer

    @extend_schema(
        request=CareEventSerializer,
        responses={201: ArrangementSerializer},
        summary="Record a leave, a runaway, a return or a transfer",
    )
    def post(self, request, arrangement_id):
        return super().post(request, arrangement_id)

    def perform(self, request, arrangement, data):
        services.care_event_add(
            actor=request.user, arrangement_id=arrangement.pk, request=request, **data
        )


class ArrangementReview(_ArrangementAction):
    serializer_class = PlacementReviewSerializer

    @extend_schema(
        request=PlacementReviewSerializer,
        responses={201: ArrangementSerializer},
        summary="Record the periodic review of an arrangement",
    )
    def post(self, request, arrangement_id):
        return super().post(request, arrangement_id)

    def perform(self, request, arrangement, data):
        services.placement_review_add(
            actor=request.user, arrangement_id=arrangement.pk, request=request, **data
        )
