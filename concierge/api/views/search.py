"""The check-in recognition search over guests and companies."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from concierge.api.base import ConciergeApi
from concierge.api.serializers.guests import SearchHitOutputSerializer, SearchInputSerializer
from concierge.guests.selectors import recognition_search


class SearchApi(ConciergeApi):
    pagination_class = None
    filter_backends: list = []

    @extend_schema(
        tags=["search"], summary="Recognition search: guests and companies, ranked, with the reason they matched",
        parameters=[SearchInputSerializer],  # its fields are the query parameters, its codes the 400s
        responses=SearchHitOutputSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        serializer = SearchInputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        hits = recognition_search(
            user=request.user, query=serializer.validated_data["q"], limit=serializer.validated_data["limit"]
        )
        return Response(SearchHitOutputSerializer(hits, many=True).data)
