"""The audit trail over REST (api-contract.md "Indicators and audit"): auditors only.

GET /api/v1/audit/?target=&actor=&since=&until=&action=&child=&page_size=&before=
→ {"results": [...], "next": url|null}, newest first, keyset-paginated on the event id.
Reading the trail is itself audited ("audit.search"), and so is a refused attempt.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from himaya.accounts.permissions import Perm, has_perm
from himaya.audit.models import AuditEvent
from himaya.audit.selectors import audit_events_search
from himaya.audit.services import ACTION_RE, audit_record

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class AuditQuerySerializer(serializers.Serializer):
    """The query parameters; any invalid one is a 400 naming the parameter."""

    target = serializers.CharField(
        required=False, max_length=64, help_text="Exact id of the object acted upon."
    )
    actor = serializers.CharField(
        required=False, max_length=150, help_text="Username of the acting user."
    )
    action = serializers.RegexField(
        # Anchored: validators search, and OpenAPI patterns are unanchored too.
        f"^{ACTION_RE.pattern}$",
        required=False,
        max_length=60,
        help_text='Action code, e.g. "child.read".',
    )
    child = serializers.UUIDField(required=False, help_text="Child id.")
    since = serializers.DateTimeField(
        required=False, help_text="ISO 8601 datetime; events at or after it."
    )
    until = serializers.DateTimeField(
        required=False, help_text="ISO 8601 datetime; events at or before it."
    )
    before = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Cursor: events with a smaller id (use the `next` link rather than setting it).",
    )
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )

    def validate(self, attrs: dict) -> dict:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": _("The end must not be before the start.")})
        return attrs


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_username", help_text="Username, empty if none.")
    organisation = serializers.CharField(
        source="organisation_code", help_text="Code of the acting organisation."
    )

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "role",
            "organisation",
            "action",
            "target_type",
            "target_id",
            "child_id",
            "reason",
            "outcome",
            "ip_address",
            "request_id",
        ]
        read_only_fields = fields


class AuditEventPageSerializer(serializers.Serializer):
    results = AuditEventSerializer(many=True)
    next = serializers.URLField(allow_null=True, help_text="The next (older) page, or null.")


class _ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class ErrorEnvelopeSerializer(serializers.Serializer):
    """The error envelope of himaya.api.errors, described for the schema. It belongs next to
    the exception handler as soon as a second API view documents its errors."""

    error = _ErrorDetailSerializer()


class AuditEventList(APIView):
    """Auditors read the trail. The permission is checked here rather than by a permission
    class so that a refused attempt can be audited before the 403 (DP-24)."""

    himaya_access = Perm.AUDIT_VIEW
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Search the audit trail (auditors)",
        parameters=[AuditQuerySerializer],
        responses={
            200: AuditEventPageSerializer,
            400: OpenApiResponse(ErrorEnvelopeSerializer, "A parameter is not valid."),
            401: OpenApiResponse(ErrorEnvelopeSerializer, "Not authenticated."),
            403: OpenApiResponse(ErrorEnvelopeSerializer, "Not an auditor."),
        },
    )
    def get(self, request: Request) -> Response:
        if not has_perm(request.user, Perm.AUDIT_VIEW):
            audit_record(
                actor=request.user,
                action="audit.search",
                outcome="denied",
                request=request,
                data={"path": request.path},
            )
            raise PermissionDenied
        query = AuditQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        page_size = params.pop("page_size")
        before = params.pop("before", None)
        found = audit_events_search(request.user, **params)
        if before:
            found = found.filter(id__lt=before)
        page = list(found[: page_size + 1])
        has_next = len(page) > page_size
        page = page[:page_size]
        audit_record(
            actor=request.user,
            action="audit.search",
            request=request,
            data={"filters": params, "before": before, "result_ids": [e.id for e in page]},
        )
        next_url = (
            replace_query_param(request.build_absolute_uri(), "before", page[-1].id)
            if has_next
            else None
        )
        return Response({"results": AuditEventSerializer(page, many=True).data, "next": next_url})
