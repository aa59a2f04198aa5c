"""The ATS-facing REST API, /api/v1/."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates.idempotency import idempotent_call, request_hash
from candidates.models import Candidate, RiskLevel, RiskStatus
from candidates.selectors import candidate_list
from candidates.serializers import CandidateDetailOutput, CandidateInput, CandidateOutput
from candidates.services import candidate_upsert


class CandidateCursorPagination(CursorPagination):
    """Cursor pagination by id: stable while candidates are being added."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CandidateFilters(serializers.Serializer):
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    status = serializers.ChoiceField(choices=RiskStatus.choices, required=False)
    external_id = serializers.CharField(required=False, max_length=200)


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER,
    description="Replays the first response for a repeated request (24 hours). "
    "Reusing a key with a different body answers 422.",
)


class CandidateViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    lookup_value_converter = "int"
    pagination_class = CandidateCursorPagination
    serializer_class = CandidateOutput

    def get_queryset(self):
        filters = CandidateFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return candidate_list(integration=self.request.user.integration,
                              filters=filters.validated_data)

    @extend_schema(parameters=[CandidateFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        responses=CandidateDetailOutput,
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    def retrieve(self, request, pk=None):
        candidate = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(self._detail(candidate))

    @extend_schema(
        request=CandidateInput,
        responses={200: CandidateDetailOutput, 201: CandidateDetailOutput},
        parameters=[IDEMPOTENCY_HEADER],
        description="Create the candidate, or replace its record when this integration "
        "already sent its external_id (201 created, 200 updated). Scoring starts after "
        "the write commits; `risk.status` is `pending` until it is done.",
    )
    def create(self, request):
        # Read the raw body before DRF parses it (the stream can be read only once).
        digest = request_hash(method="POST", path=request.path, body=request.body)
        serializer = CandidateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        integration = request.user.integration

        def run():
            # The upsert leaves the rows it wrote on the candidate: no read-back needed.
            candidate, created = candidate_upsert(
                integration=integration, data=serializer.validated_data
            )
            return (201 if created else 200), self._detail(candidate)

        (code, body), replayed = idempotent_call(
            integration=integration,
            key=request.headers.get("Idempotency-Key"),
            digest=digest,
            run=run,
        )
        response = Response(body, status=code)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _detail(self, candidate: Candidate) -> dict:
        return CandidateDetailOutput(candidate).data


class WhoAmIApi(APIView):
    """Which integration this key belongs to: for integrators checking their set-up."""

    @extend_schema(
        responses=inline_serializer("WhoAmI", {"integration": serializers.CharField()})
    )
    def get(self, request):
        return Response({"integration": request.user.integration.name}, status=status.HTTP_200_OK)
