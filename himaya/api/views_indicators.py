"""Indicators over REST (api-contract.md "Indicators and audit").

GET /api/v1/indicators/ → the definitions; GET /api/v1/indicators/{code}/?period=&province=
&region=&by= → the figures, read from the aggregate tables through `indicators.selectors`
(suppressed for aggregate-only roles: a value from 1 to 4 is the string "<5"). Unknown
indicator, period, territory or disaggregation → 400 naming the parameter; a territory
outside the reader's scope → 404.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from himaya.accounts.permissions import Perm
from himaya.indicators import selectors
from himaya.indicators.registry import INDICATORS


class IndicatorDefinitionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(help_text="report, child, case, task, decision, structure...")
    measure = serializers.CharField(help_text="count, proportion (%), median, mean, rate, sum")
    group = serializers.CharField()
    disaggregations = serializers.ListField(child=serializers.CharField())
    available = serializers.BooleanField(help_text="False while the data it needs is not held")
    pending = serializers.CharField(help_text="Why it is not available yet, if it is not.")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "integer"},
            {"type": "number"},
            {"type": "string", "enum": ["<5"]},
            {"type": "null"},
        ]
    }
)
class FigureField(serializers.Field):
    def to_representation(self, value):
        return value


class FigureRowSerializer(serializers.Serializer):
    dimensions = serializers.DictField(
        child=serializers.CharField(), help_text="Empty for the total row (first)."
    )
    value = FigureField(help_text='A count, a percentage, a median or mean; "<5" when suppressed.')


class IndicatorFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    period = serializers.CharField()
    territory = serializers.CharField(help_text='"MA" (national), a region or a province code.')
    measure = serializers.CharField()
    unit = serializers.CharField()
    suppressed = serializers.BooleanField(help_text="Small-cell suppression applied.")
    rows = FigureRowSerializer(many=True)


class IndicatorList(APIView):
    himaya_access = Perm.AGGREGATES_VIEW

    @extend_schema(
        summary="Indicator definitions", responses=IndicatorDefinitionSerializer(many=True)
    )
    def get(self, request):
        data = [
            {
                "code": i.code,
                "name": str(i.name),
                "unit": i.unit,
                "measure": i.measure,
                "group": i.group,
                "disaggregations": list(i.dims),
                "available": i.computed,
                "pending": str(i.pending),
            }
            for i in INDICATORS.values()
        ]
        return Response(IndicatorDefinitionSerializer(data, many=True).data)


class IndicatorDetail(APIView):
    himaya_access = Perm.AGGREGATES_VIEW

    @extend_schema(
        summary="Figures of one indicator for a period and territory",
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, required=True,
                             description="2026 | 2026-Q3 | 2026-11", pattern=r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$"),
            OpenApiParameter("province", OpenApiTypes.STR, description="HCP code (e.g. 04.441)"),
            OpenApiParameter("region", OpenApiTypes.STR, description="HCP region code (e.g. 04)"),
            OpenApiParameter("by", OpenApiTypes.STR, description="e.g. sex,age_band"),
        ],
        responses=IndicatorFiguresSerializer,
    )  # fmt: skip
    def get(self, request, code: str):
        params = request.query_params
        try:
            indicator = selectors.resolve_indicator(code)
            period = selectors.resolve_period(params.get("period", ""))
            breakdown = selectors.resolve_breakdown(indicator, params.get("by", ""))
            territory = selectors.resolve_territory(
                request.user, province=params.get("province", ""), region=params.get("region", "")
            )
            result = selectors.figures(request.user, indicator, period, territory, breakdown)
        except selectors.QueryError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        data = {
            "code": indicator.code,
            "period": period.key,
            "territory": territory,
            "measure": indicator.measure,
            "unit": indicator.unit,
            "suppressed": result.suppressed,
            "rows": [{"dimensions": r["dimensions"], "value": r["value"]} for r in result.rows],
        }
        return Response(IndicatorFiguresSerializer(data).data)
