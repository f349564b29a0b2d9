"""The directory over REST (api-contract.md "Territories and directory"): the service
catalogue, institutions, their suggestions for a need. Views parse, call a selector or a
service, render."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.permissions import Perm
from himaya.api.pagination import KeysetPagination
from himaya.core import codes
from himaya.core.models import Province
from himaya.directory import selectors, services
from himaya.directory.models import Institution

# --- serializers ---------------------------------------------------------------------------------


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    label_ar = serializers.CharField()
    label_fr = serializers.CharField()
    label_en = serializers.CharField()
    stages = serializers.ListField(child=serializers.IntegerField())
    catalogue_version = serializers.IntegerField()


class InstitutionSerializer(serializers.ModelSerializer):
    name = serializers.CharField()
    province = serializers.CharField(source="province_id")
    commune = serializers.CharField(source="commune_id", allow_null=True)
    organisation = serializers.SerializerMethodField()
    services = serializers.SerializerMethodField()
    free_places = serializers.IntegerField(allow_null=True)
    at_capacity = serializers.BooleanField()

    class Meta:
        model = Institution
        fields = [
            "id", "code", "name", "name_fr", "name_ar", "type", "organisation", "managing_body",
            "supervising_authority", "authorisation_number", "province", "commune", "address",
            "latitude", "longitude", "phone", "email", "contact_person", "opening_hours",
            "languages", "age_min", "age_max", "sexes", "services", "capacity", "occupancy",
            "free_places", "at_capacity", "active", "version",
        ]  # fmt: skip

    def get_organisation(self, institution) -> str | None:
        return institution.organisation.code if institution.organisation else None

    def get_services(self, institution) -> list[str]:
        return [s.code for s in institution.services.all()]


class InstitutionPatchSerializer(serializers.Serializer):
    """Fields an institution's own users may change (administrators: also the others)."""

    name_fr = serializers.CharField(max_length=200, required=False)
    name_ar = serializers.CharField(max_length=200, required=False)
    type = serializers.CharField(max_length=40, required=False)
    organisation = serializers.CharField(max_length=40, required=False, allow_blank=True)
    managing_body = serializers.CharField(max_length=200, required=False, allow_blank=True)
    supervising_authority = serializers.CharField(max_length=200, required=False, allow_blank=True)
    authorisation_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    province = serializers.CharField(max_length=12, required=False)
    commune = serializers.CharField(max_length=14, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    latitude = serializers.FloatField(required=False, allow_null=True)
    longitude = serializers.FloatField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    contact_person = serializers.CharField(max_length=150, required=False, allow_blank=True)
    opening_hours = serializers.CharField(max_length=200, required=False, allow_blank=True)
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    age_min = serializers.IntegerField(required=False, min_value=0, max_value=17)
    age_max = serializers.IntegerField(required=False, min_value=0, max_value=17)
    sexes = serializers.CharField(max_length=6, required=False)
    capacity = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    occupancy = serializers.IntegerField(required=False, min_value=0)
    services = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    active = serializers.BooleanField(required=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SuggestionSerializer(serializers.Serializer):
    institution = InstitutionSerializer()
    distance_km = serializers.FloatField(allow_null=True)
    free_places = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class SuggestionListSerializer(serializers.Serializer):
    results = SuggestionSerializer(many=True)
    origin = serializers.ListField(child=serializers.FloatField(), allow_null=True)


# --- helpers -------------------------------------------------------------------------------------


def _bool_param(request, name: str) -> bool:
    raw = request.query_params.get(name, "").strip().lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise ValidationError({name: ["true or false."]})


def _province_param(request, name: str = "province", *, required: bool = False) -> str:
    code = request.query_params.get(name, "").strip()
    if not code:
        if required:
            raise ValidationError({name: ["This parameter is required."]})
        return ""
    if not Province.objects.filter(pk=code).exists():
        raise ValidationError({name: ["Unknown territory code."]})
    return code


def _float_param(request, name: str, low: float, high: float) -> float | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise ValidationError({name: ["A number."]}) from None
    if not low <= value <= high:
        raise ValidationError({name: [f"A number from {low} to {high}."]})
    return value


def _if_match(request) -> int:
    raw = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    if not raw:
        raise ValidationError({"If-Match": ["Send the version you edited as If-Match."]})
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"If-Match": ["The version is a whole number."]}) from None


# --- views ---------------------------------------------------------------------------------------


@extend_schema(summary="The service catalogue (panier de services) with its stages")
class ServiceList(ListAPIView):
    """Small and fixed (a dozen rows): not paginated."""

    himaya_access = Perm.DIRECTORY_VIEW
    serializer_class = ServiceSerializer
    pagination_class = None

    def get_queryset(self):
        return selectors.services_catalogue()


class InstitutionList(ListAPIView):
    himaya_access = Perm.DIRECTORY_VIEW
    serializer_class = InstitutionSerializer
    pagination_class = KeysetPagination

    @extend_schema(
        summary="Institutions of the directory",
        parameters=[
            OpenApiParameter("province", str, description="HCP code of the territory"),
            OpenApiParameter("type", str, description="code of org_type"),
            OpenApiParameter("service", str, description="code of service_type"),
            OpenApiParameter("has_capacity", bool, description="only those with a free place"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        org_type, service = params.get("type", "").strip(), params.get("service", "").strip()
        if org_type and not codes.is_valid("org_type", org_type):
            raise ValidationError({"type": ["Choose a value from the list."]})
        if service and not codes.is_valid("service_type", service):
            raise ValidationError({"service": ["Choose a value from the list."]})
        return selectors.institutions_filter(
            selectors.institutions_visible_to(self.request.user),
            province=_province_param(self.request),
            type=org_type,
            service=service,
            has_capacity=_bool_param(self.request, "has_capacity"),
        )


class InstitutionDetail(APIView):
    himaya_access = Perm.DIRECTORY_VIEW

    @extend_schema(responses=InstitutionSerializer, summary="One institution (ETag: its version)")
    def get(self, request, institution_id):
        institution = selectors.institution_get(request.user, institution_id)
        response = Response(InstitutionSerializer(institution).data)
        response["ETag"] = f'"{institution.version}"'
        return response

    @extend_schema(
        request=InstitutionPatchSerializer,
        responses=InstitutionSerializer,
        summary="Edit an institution (its own users or an administrator), with If-Match",
    )
    def patch(self, request, institution_id):
        institution = selectors.institution_get(request.user, institution_id)
        if not services.may_maintain(request.user, institution):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        version = _if_match(request)
        serializer = InstitutionPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        reason = values.pop("reason", "")
        services.institution_update(
            actor=request.user, institution_id=institution.pk, version=version, reason=reason,
            request=request, **values,
        )  # fmt: skip
        institution = selectors.institution_get(request.user, institution.pk)
        response = Response(InstitutionSerializer(institution).data)
        response["ETag"] = f'"{institution.version}"'
        return response


class InstitutionSuggestions(APIView):
    himaya_access = Perm.DIRECTORY_VIEW

    @extend_schema(
        responses=SuggestionListSerializer,
        summary="Institutions to refer a need to: offering the service, with a free place, nearest first",
        parameters=[
            OpenApiParameter("service", str, required=True),
            OpenApiParameter("province", str, required=True),
            OpenApiParameter("lat", float),
            OpenApiParameter("lon", float),
            OpenApiParameter("age", int),
            OpenApiParameter("sex", str, enum=["female", "male"]),
        ],
    )
    def get(self, request):
        service = request.query_params.get("service", "").strip()
        if not codes.is_valid("service_type", service):
            raise ValidationError({"service": ["Choose a value from the list."]})
        province = Province.objects.get(pk=_province_param(request, required=True))
        lat, lon = _float_param(request, "lat", -90, 90), _float_param(request, "lon", -180, 180)
        if (lat is None) != (lon is None):
            raise ValidationError({"lon": ["Give lat and lon together."]})
        age_raw = request.query_params.get("age", "").strip()
        if age_raw and not (age_raw.isdigit() and int(age_raw) <= 17):
            raise ValidationError({"age": ["An age from 0 to 17."]})
        sex = request.query_params.get("sex", "").strip()
        if sex not in ("", "female", "male"):
            raise ValidationError({"sex": ["female or male."]})
        selectors.institutions_visible_to(request.user)  # the directory right (403 without)
        origin = (lat, lon) if lat is not None else selectors.origin_of(request.user, province)
        found = selectors.suggest_institutions(
            service=service, province=province, origin=origin,
            age=int(age_raw) if age_raw else None, sex=sex,
        )  # fmt: skip
        return Response(
            SuggestionListSerializer(
                {"results": found, "origin": list(origin) if origin else None}
            ).data
        )
