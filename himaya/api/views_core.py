"""Reference data of `core` over REST: territories and code lists."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView

from himaya.accounts.access import AUTHENTICATED
from himaya.core.models import Province


class ProvinceSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region_id")
    parent_code = serializers.CharField(source="parent_id", allow_null=True)

    class Meta:
        model = Province
        fields = [
            "code",
            "name_fr",
            "name_ar",
            "type",
            "region_code",
            "parent_code",
            "population_2024",
        ]


@extend_schema(
    summary="The 83 territories (prefectures, provinces, prefectures of arrondissements)"
)
class ProvinceList(ListAPIView):
    """Public reference geography; the list is fixed-size (83 rows), so it is not paginated."""

    himaya_access = AUTHENTICATED
    serializer_class = ProvinceSerializer
    pagination_class = None
    queryset = Province.objects.order_by("code")
