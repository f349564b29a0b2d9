"""Children over REST: the same selectors as the pages (scope, 404/403, audit)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.permissions import Perm
from himaya.api.pagination import KeysetPagination
from himaya.children import selectors
from himaya.children.models import Child


class ChildSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province_id")
    organisation = serializers.CharField(source="organisation.code")

    class Meta:
        model = Child
        fields = [
            "id", "first_name_ar", "last_name_ar", "first_name_lat", "last_name_lat", "sex",
            "birth_date", "birth_date_estimated", "province", "organisation", "version",
        ]  # fmt: skip


class ChildDetailSerializer(ChildSerializer):
    health_notes = serializers.SerializerMethodField()
    break_glass = serializers.SerializerMethodField()

    class Meta(ChildSerializer.Meta):
        fields = [*ChildSerializer.Meta.fields, "health_notes", "break_glass"]

    def get_health_notes(self, child) -> str | None:
        """Null unless the caller may read the health category."""
        return child.health_notes if self.context["access"].sees_health else None

    def get_break_glass(self, child) -> bool:
        return self.context["access"].break_glass is not None


@extend_schema(summary="Children in the caller's scope, newest first")
class ChildList(ListAPIView):
    himaya_access = Perm.CHILD_VIEW_SUMMARY
    serializer_class = ChildSerializer
    pagination_class = KeysetPagination

    def get_queryset(self):
        return selectors.children_visible_to(
            self.request.user, Perm.CHILD_VIEW_SUMMARY
        ).select_related("organisation")


class ChildDetail(APIView):
    himaya_access = Perm.CHILD_VIEW

    @extend_schema(
        summary="One child's record (404 outside scope, 403 in scope without the right)",
        responses=ChildDetailSerializer,
    )
    def get(self, request, child_id):
        opened = selectors.child_get_for_user(
            request.user, child_id, Perm.CHILD_VIEW, request=request
        )
        response = Response(ChildDetailSerializer(opened.child, context={"access": opened}).data)
        response["ETag"] = f'"{opened.child.version}"'
        return response


class MatchSerializer(serializers.Serializer):
    first_name_ar = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    last_name_ar = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    first_name_lat = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    last_name_lat = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    sex = serializers.CharField(max_length=10, required=False, default="unknown")
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    mother_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    province = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not any(
            attrs[k] for k in ("first_name_ar", "last_name_ar", "first_name_lat", "last_name_lat")
        ):
            raise serializers.ValidationError(
                {"first_name_lat": ["Give at least one name, in either script."]}
            )
        return attrs


class MatchResponse(serializers.Serializer):
    candidates = serializers.ListField(child=serializers.DictField())


class ChildMatch(APIView):
    """The duplicate search of reception (DP-18): across all territories, minimal identity."""

    himaya_access = Perm.CHILD_SEARCH_ALL

    @extend_schema(
        request=MatchSerializer,
        responses=MatchResponse,
        summary="Children already known under a spelling or script variant",
    )
    def post(self, request):
        from himaya.children.matching import ChildIdentity

        serializer = MatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        identity = ChildIdentity(
            first_name_ar=data["first_name_ar"], last_name_ar=data["last_name_ar"], first_name_lat=data["first_name_lat"],
            last_name_lat=data["last_name_lat"], sex={"F": "female", "M": "male"}.get(data["sex"], data["sex"]),
            birth_year=data["birth_date"].year if data["birth_date"] else None, mother_name=data["mother_name"], province_code=data["province"],
        )  # fmt: skip
        found = selectors.children_match_candidates(request.user, identity, request=request)
        return Response(
            {
                "candidates": [
                    {
                        "child_id": str(r["child_id"]),
                        "score": r["score"],
                        "sex": r["child"].sex,
                        "birth_year": r["child"].birth_date.year if r["child"].birth_date else None,
                        "province": r["child"].province_id,
                    }
                    for r in found
                ]
            }
        )
