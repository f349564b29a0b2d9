"""Children over REST: the same selectors as the pages (scope, 404/403, audit)."""

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.permissions import Perm
from himaya.api.idempotency import idempotent
from himaya.api.pagination import KeysetPagination
from himaya.children import selectors, services
from himaya.children.models import Child, ChildMerge, ChildMergeRequest


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
    merged_into = serializers.UUIDField(
        source="merged_into_id",
        allow_null=True,
        help_text="Set on a merged record (a read-only tombstone): the id of the surviving record.",
    )

    class Meta(ChildSerializer.Meta):
        fields = [*ChildSerializer.Meta.fields, "health_notes", "break_glass", "merged_into"]

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


# --- merge and unmerge (DP-58..60) -----------------------------------------------------------------


class MergeInputSerializer(serializers.Serializer):
    duplicate_id = serializers.UUIDField()
    reason = serializers.CharField(max_length=2000)
    evidence = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    choices = serializers.DictField(
        child=serializers.ChoiceField(choices=["survivor", "duplicate"]),
        required=False,
        default=dict,
        help_text="Fields whose value the survivor takes from the duplicate: {field: 'duplicate'}.",
    )
    duplicate_version = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1
    )
    merge_request = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The case manager's request this merge answers (found by pair if omitted).",
    )


class UnmergeRequestSerializer(serializers.Serializer):
    duplicate_id = serializers.UUIDField()
    reason = serializers.CharField(max_length=2000)


class MergeSerializer(serializers.ModelSerializer):
    survivor_id = serializers.UUIDField()
    duplicate_id = serializers.UUIDField()
    approved_by = serializers.CharField(source="approved_by.username")
    unmerged_by = serializers.CharField(
        source="unmerged_by.username", allow_null=True, default=None
    )
    choices = serializers.DictField(child=serializers.DictField())
    repointed = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

    class Meta:
        model = ChildMerge
        fields = [
            "id", "survivor_id", "duplicate_id", "reason", "evidence", "choices", "repointed",
            "approved_by", "merged_at", "unmerged_at", "unmerged_by", "unmerge_reason",
        ]  # fmt: skip


def _if_match(request) -> int | None:
    raw = request.headers.get("If-Match", "").strip().removeprefix("W/").strip('"')
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValidationError({"If-Match": ["The version is a whole number."]}) from None


def _parse(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ChildMergeView(APIView):
    """A supervisor merges a duplicate record into this one (DP-59); reversible (unmerge)."""

    himaya_access = Perm.CHILD_MERGE

    @extend_schema(
        request=MergeInputSerializer,
        responses={201: MergeSerializer},
        parameters=[
            OpenApiParameter(
                "If-Match", str, OpenApiParameter.HEADER, required=False,
                description="The survivor's version you compared; 412 if it changed since.",
            ),
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False),
        ],
        summary="Merge a duplicate record into this child's (supervisor; reversible)",
    )  # fmt: skip
    @idempotent
    def post(self, request, child_id):
        data = _parse(MergeInputSerializer, request)
        merge = services.child_merge(
            actor=request.user, survivor_id=child_id, duplicate_id=data["duplicate_id"],
            reason=data["reason"], evidence=data["evidence"], choices=data["choices"],
            survivor_version=_if_match(request), duplicate_version=data["duplicate_version"],
            merge_request_id=data["merge_request"], request=request,
        )  # fmt: skip
        return Response(MergeSerializer(merge).data, status=201)


class ChildUnmergeView(APIView):
    """Undo the merge of `duplicate_id` into this record (DP-60)."""

    himaya_access = Perm.CHILD_MERGE

    @extend_schema(
        request=UnmergeRequestSerializer,
        responses={200: MergeSerializer},
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
        ],
        summary="Undo a merge: the merged record and everything re-pointed come back",
    )
    @idempotent
    def post(self, request, child_id):
        data = _parse(UnmergeRequestSerializer, request)
        merge = services.child_unmerge(
            actor=request.user, survivor_id=child_id, duplicate_id=data["duplicate_id"],
            reason=data["reason"], request=request,
        )  # fmt: skip
        return Response(MergeSerializer(merge).data)


class MergeListResponse(serializers.Serializer):
    results = MergeSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class ChildMergeList(APIView):
    himaya_access = Perm.CHILD_VIEW

    @extend_schema(responses=MergeListResponse, summary="The merges of this record, newest first")
    def get(self, request, child_id):
        opened = selectors.child_get_for_user(
            request.user, child_id, Perm.CHILD_VIEW, request=request
        )
        merges = selectors.child_merges(opened.child)
        return Response({"results": MergeSerializer(merges, many=True).data, "next": None})


class DuplicatePairSerializer(serializers.Serializer):
    child_id = serializers.UUIDField(source="child.pk")
    candidate_id = serializers.UUIDField(source="candidate.pk")
    score = serializers.FloatField()


class DuplicatePairsResponse(serializers.Serializer):
    results = DuplicatePairSerializer(many=True)
    next = serializers.CharField(allow_null=True)
    examined = serializers.IntegerField(help_text="Records examined on this page.")


class ChildDuplicates(APIView):
    """DP-58: likely duplicates among the records the caller may merge (proposals only)."""

    himaya_access = Perm.CHILD_MERGE

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, required=False),
            OpenApiParameter("page_size", int, required=False),
        ],
        responses=DuplicatePairsResponse,
        summary="Likely duplicate pairs in the caller's scope (keyset-paginated)",
    )
    def get(self, request):
        raw = request.query_params.get("page_size", "100")
        if not raw.isdigit() or not 1 <= int(raw) <= 200:
            raise ValidationError({"page_size": ["A whole number from 1 to 200."]})
        page = selectors.child_duplicate_pairs(
            request.user, cursor=request.query_params.get("cursor", ""), page_size=int(raw)
        )
        next_url = None
        if page.next_cursor:
            query = urlencode({"cursor": page.next_cursor, "page_size": raw})
            next_url = request.build_absolute_uri(f"{request.path}?{query}")
        return Response(
            {
                "results": DuplicatePairSerializer(page.pairs, many=True).data,
                "next": next_url,
                "examined": page.examined,
            }
        )


class MergeRequestCreateSerializer(serializers.Serializer):
    duplicate_id = serializers.UUIDField()
    reason = serializers.CharField(max_length=2000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MergeAskSerializer(serializers.ModelSerializer):
    survivor_id = serializers.UUIDField()
    duplicate_id = serializers.UUIDField()
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    merge_id = serializers.UUIDField(allow_null=True)

    class Meta:
        model = ChildMergeRequest
        fields = [
            "id", "survivor_id", "duplicate_id", "reason", "status", "requested_by", "created_at",
            "decided_by", "decided_at", "decision_note", "merge_id",
        ]  # fmt: skip


class ChildMergeRequestCreate(APIView):
    """DP-59: a case manager asks the supervisors to merge `duplicate_id` into this record."""

    himaya_access = Perm.CHILD_MERGE_REQUEST

    @extend_schema(
        request=MergeRequestCreateSerializer,
        responses={201: MergeAskSerializer},
        parameters=[
            OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=False)
        ],
        summary="Ask a supervisor to merge a duplicate record into this one (case manager)",
    )
    @idempotent
    def post(self, request, child_id):
        # Scope first: outside it the record does not exist, whatever the body says.
        selectors.child_get_for_user(
            request.user, child_id, Perm.CHILD_MERGE_REQUEST, request=request
        )
        data = _parse(MergeRequestCreateSerializer, request)
        asked = services.child_merge_request(
            actor=request.user, child_id=child_id, duplicate_id=data["duplicate_id"],
            reason=data["reason"], request=request,
        )  # fmt: skip
        return Response(MergeAskSerializer(asked).data, status=201)


class MergeRequestListResponse(serializers.Serializer):
    results = MergeAskSerializer(many=True)
    next = serializers.CharField(allow_null=True)


class MergeRequestList(APIView):
    himaya_access = Perm.CHILD_MERGE

    @extend_schema(
        responses=MergeRequestListResponse,
        summary="Pending merge requests the caller may answer, oldest first (at most 50)",
    )
    def get(self, request):
        pending = selectors.merge_requests_pending(request.user)
        return Response({"results": MergeAskSerializer(pending, many=True).data, "next": None})


class MergeRequestDecline(APIView):
    himaya_access = Perm.CHILD_MERGE

    @extend_schema(
        request=ReasonSerializer,
        responses={200: MergeAskSerializer},
        summary="Decline a merge request, saying why (supervisor)",
    )
    def post(self, request, request_id):
        data = _parse(ReasonSerializer, request)
        asked = services.child_merge_request_decline(
            actor=request.user, request_id=request_id, reason=data["reason"], request=request
        )
        return Response(MergeAskSerializer(asked).data)
