"""Referrals over REST (api-contract.md "Plan, referrals, follow-ups"). A service provider
gets the referral packet only (no narrative, no judicial data, no other services); the case
team gets the referral with its case. Views parse, call a selector or a service, render."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.access import AUTHENTICATED
from himaya.accounts.permissions import Perm, has_perm
from himaya.api.idempotency import idempotent
from himaya.api.pagination import KeysetPagination
from himaya.cases import selectors as case_selectors
from himaya.core import codes
from himaya.referrals import selectors, services
from himaya.referrals.models import Referral

# --- serializers ---------------------------------------------------------------------------------


class PacketChildSerializer(serializers.Serializer):
    name_ar = serializers.CharField()
    name_lat = serializers.CharField()
    known_as = serializers.CharField()
    sex = serializers.CharField()
    age = serializers.IntegerField(allow_null=True)
    age_estimated = serializers.BooleanField()
    languages = serializers.ListField(child=serializers.CharField())


class PacketWorkerSerializer(serializers.Serializer):
    name = serializers.CharField()
    organisation = serializers.CharField()
    organisation_ar = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()


class PacketSerializer(serializers.Serializer):
    """What the provider is shown (data-protection.md DP-37): the common core and the fields
    its service needs. Named fields only, so nothing else of the snapshot can leak."""

    child = PacketChildSerializer()
    service = serializers.CharField()
    urgency = serializers.CharField()
    note = serializers.CharField()
    referring_worker = PacketWorkerSerializer()
    extra = serializers.DictField(child=serializers.CharField(allow_null=True))


class _ReferralBase(serializers.ModelSerializer):
    institution = serializers.CharField(source="institution.code")
    institution_name = serializers.CharField(source="institution.name")

    class Meta:
        model = Referral
        fields = [
            "id", "status", "service", "urgency", "institution", "institution_name", "sent_at",
            "due_on", "respond_by", "responded_at", "refusal_reason", "refusal_note",
            "completed_at", "outcome", "version",
        ]  # fmt: skip


class IncomingReferralSerializer(_ReferralBase):
    """A provider's view: the packet, never the case."""

    packet = PacketSerializer()

    class Meta(_ReferralBase.Meta):
        fields = [*_ReferralBase.Meta.fields, "packet"]


class OutgoingReferralSerializer(_ReferralBase):
    """The case team's view: the referral with its case and plan action."""

    case = serializers.UUIDField(source="case_id")
    case_number = serializers.CharField(source="case.number")
    plan_action = serializers.UUIDField(source="plan_action_id")
    sent_by = serializers.CharField(source="sent_by.username")
    note = serializers.CharField()

    class Meta(_ReferralBase.Meta):
        fields = [
            *_ReferralBase.Meta.fields,
            "case",
            "case_number",
            "plan_action",
            "sent_by",
            "note",
        ]


def _either(many: bool = False) -> PolymorphicProxySerializer:
    """The provider's packet view or the case team's view, whichever door the caller has."""
    return PolymorphicProxySerializer(
        component_name="ReferralForCaller",
        serializers=[IncomingReferralSerializer, OutgoingReferralSerializer],
        resource_type_field_name=None,
        many=many,
    )


class ReferralCreateSerializer(serializers.Serializer):
    institution = serializers.UUIDField()
    service = serializers.CharField(max_length=40)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    urgency = serializers.CharField(max_length=10, required=False, default="routine")
    plan_action = serializers.UUIDField(required=False, allow_null=True, default=None)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=40)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CompleteSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=5000)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class EmptySerializer(serializers.Serializer):
    pass


def _parse(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _outgoing(referral: Referral) -> dict:
    referral = Referral.objects.select_related("case", "institution", "sent_by").get(pk=referral.pk)
    return OutgoingReferralSerializer(referral).data


def _incoming(referral: Referral) -> dict:
    referral = Referral.objects.select_related("institution").get(pk=referral.pk)
    return IncomingReferralSerializer(referral).data


# --- views ---------------------------------------------------------------------------------------


class CaseReferralCreate(APIView):
    himaya_access = Perm.CASE_WORK

    @extend_schema(
        request=ReferralCreateSerializer,
        responses={201: OutgoingReferralSerializer},
        summary="Refer the case's child to an institution for a service of the plan",
    )
    @idempotent
    def post(self, request, case_id):
        case = case_selectors.case_get_for_user(request.user, case_id, request=request, audit=False)
        data = _parse(ReferralCreateSerializer, request)
        referral = services.referral_send(
            actor=request.user, case_id=case.pk, institution_id=data["institution"],
            service=data["service"], due_on=data["due_on"], note=data["note"],
            urgency=data["urgency"], plan_action_id=data["plan_action"], request=request,
        )  # fmt: skip
        return Response(_outgoing(referral), status=201)


class ReferralList(ListAPIView):
    """`direction=incoming`: referrals addressed to the caller's organisation (providers);
    `direction=outgoing`: referrals of the caller's cases. Default: incoming for providers."""

    himaya_access = AUTHENTICATED  # either door; each checks its own right below
    pagination_class = KeysetPagination

    def _direction(self) -> str:
        direction = self.request.query_params.get("direction", "").strip()
        if direction not in ("", "incoming", "outgoing"):
            raise ValidationError({"direction": ["incoming or outgoing."]})
        if not direction:
            direction = (
                "incoming" if selectors.provider_organisations(self.request.user) else "outgoing"
            )
        return direction

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False):
            return OutgoingReferralSerializer
        if self._direction() == "incoming":
            return IncomingReferralSerializer
        return OutgoingReferralSerializer

    @extend_schema(
        responses=_either(many=True),
        summary="Referrals, incoming (provider) or outgoing (case team)",
        parameters=[
            OpenApiParameter("direction", str, enum=["incoming", "outgoing"]),
            OpenApiParameter("status", str, description="code of referral_status"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user, direction = self.request.user, self._direction()
        status = self.request.query_params.get("status", "").strip()
        if status and not codes.is_valid("referral_status", status):
            raise ValidationError({"status": ["Choose a value from the list."]})
        if direction == "incoming":
            if not has_perm(user, Perm.REFERRAL_PACKET_VIEW):
                raise PermissionDenied
            rows = selectors.referrals_incoming(user).select_related("institution")
        else:
            if not has_perm(user, Perm.CHILD_VIEW):
                raise PermissionDenied
            rows = selectors.referrals_outgoing(user).select_related(
                "case", "institution", "sent_by"
            )
        if status:
            rows = rows.filter(status=status)
        if direction == "incoming":
            from himaya.audit.services import audit_record

            audit_record(
                actor=user, action="referral.inbox_read", target_type="referral", request=self.request,
                data={"status": status},
            )  # fmt: skip
        return rows


class ReferralDetail(APIView):
    himaya_access = AUTHENTICATED

    @extend_schema(
        responses=_either(),
        summary="One referral: the packet for its provider, the referral for the case team",
    )
    def get(self, request, referral_id):
        referral, as_provider = selectors.referral_get_for_user(
            request.user, referral_id, request=request
        )
        return Response(_incoming(referral) if as_provider else _outgoing(referral))


class _ProviderAction(APIView):
    himaya_access = Perm.REFERRAL_RESPOND
    serializer_class: type[serializers.Serializer] = EmptySerializer

    def post(self, request, referral_id):
        selectors.referral_get_for_provider(request.user, referral_id, request=request, audit=False)
        data = _parse(self.serializer_class, request)
        referral = self.perform(request, referral_id, data)
        return Response(_incoming(referral))


class ReferralAccept(_ProviderAction):
    @extend_schema(request=None, responses=IncomingReferralSerializer, summary="Accept a referral")
    def post(self, request, referral_id):
        return super().post(request, referral_id)

    def perform(self, request, referral_id, data):
        return services.referral_accept(
            actor=request.user, referral_id=referral_id, request=request
        )


class ReferralDecline(_ProviderAction):
    serializer_class = DeclineSerializer

    @extend_schema(
        request=DeclineSerializer,
        responses=IncomingReferralSerializer,
        summary="Decline a referral, with a reason (referral_refusal_reason)",
    )
    def post(self, request, referral_id):
        return super().post(request, referral_id)

    def perform(self, request, referral_id, data):
        return services.referral_decline(
            actor=request.user, referral_id=referral_id, reason=data["reason"], note=data["note"],
            request=request,
        )  # fmt: skip


class ReferralComplete(_ProviderAction):
    serializer_class = CompleteSerializer

    @extend_schema(
        request=CompleteSerializer,
        responses=IncomingReferralSerializer,
        summary="Complete a referral, with its outcome",
    )
    def post(self, request, referral_id):
        return super().post(request, referral_id)

    def perform(self, request, referral_id, data):
        return services.referral_complete(
            actor=request.user, referral_id=referral_id, outcome=data["outcome"], request=request
        )


class ReferralCancel(APIView):
    himaya_access = Perm.CASE_WORK

    @extend_schema(
        request=CancelSerializer,
        responses=OutgoingReferralSerializer,
        summary="Cancel a referral (the case team), with a reason",
    )
    def post(self, request, referral_id):
        selectors.referral_get_for_case_team(request.user, referral_id, request=request)
        data = _parse(CancelSerializer, request)
        referral = services.referral_cancel(
            actor=request.user, referral_id=referral_id, reason=data["reason"], request=request
        )
        return Response(_outgoing(referral))
