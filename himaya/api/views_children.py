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
