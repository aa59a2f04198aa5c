"""The ATS-facing REST API, /api/v1/."""

import re

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from candidates.idempotency import MAX_KEY_LENGTH, idempotent_call, request_hash
from candidates.models import Candidate, RiskLevel, RiskStatus
from candidates.selectors import candidate_list
from candidates.serializers import CandidateDetailOutput, CandidateInput, CandidateOutput
from candidates.services import candidate_upsert

MAX_ID = 2**63 - 1  # PostgreSQL bigint: the largest candidate id there can be
BAD_CURSOR = "Invalid cursor: pass the `next` or `previous` link of a page as it is."


class CandidateCursorPagination(CursorPagination):
    """Cursor pagination by id: stable while candidates are being added.

    A bad page_size or cursor is the client's mistake, answered 400 naming the parameter
    (DRF answers 404 for a bad cursor and silently ignores a bad page_size).
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not re.fullmatch(r"[0-9]+", raw) or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: [
                f"A whole number from 1 (at most {self.max_page_size} are returned)."]})
        return min(int(raw), self.max_page_size)

    def decode_cursor(self, request):
        if request.query_params.get(self.cursor_query_param) == "":
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]})
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]}) from None
        # The position is an id (ordering "-id"): anything else would reach the database.
        position = cursor.position if cursor else None
        if position is not None and not (position.isascii() and position.isdigit()
                                         and int(position) <= MAX_ID):
            raise ValidationError({self.cursor_query_param: [BAD_CURSOR]})
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
                parameter["description"] = (
                    f"Candidates per page (default {self.page_size}); values above "
                    f"{self.max_page_size} are read as {self.max_page_size}."
                )
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"] = {"type": "string", "minLength": 1}
        return parameters


class CandidateFilters(serializers.Serializer):
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    status = serializers.ChoiceField(choices=RiskStatus.choices, required=False)
    external_id = serializers.CharField(required=False, max_length=200)

    # Query parameters read elsewhere: the paginator's, and DRF's ?format=.
    OTHER_PARAMETERS = frozenset({"cursor", "page_size", api_settings.URL_FORMAT_OVERRIDE})

    def to_internal_value(self, data):
        # Like unknown fields in a payload, an unknown or empty filter is refused rather
        # than ignored: DRF reads `?status=` as no filter at all, and `?risk=high` (a typo)
        # would list every candidate, neither of which is what the client meant.
        getlist = getattr(data, "getlist", None) or (lambda name: [data.get(name)])
        problems = {name: ["Unknown query parameter; see the API schema for the filters."]
                    for name in sorted(set(data) - set(self.fields) - self.OTHER_PARAMETERS)}
        problems.update({name: ["Empty filter value: leave the parameter out instead."]
                         for name in self.fields if "" in getlist(name)})
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            raise ValidationError({**exc.detail, **problems}) from None
        if problems:
            raise ValidationError(problems)
        return value


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", {"type": "string", "maxLength": MAX_KEY_LENGTH},
    OpenApiParameter.HEADER,
    description="Replays the first response for a repeated request (24 hours). "
    "Reusing a key with a different body answers 422.",
)

REPLAYED_HEADER = OpenApiParameter(
    "Idempotent-Replayed", {"type": "string", "enum": ["true"]}, OpenApiParameter.HEADER,
    response=[200, 201], description="Present when the response is a replay of the first "
    "response to this Idempotency-Key.",
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
        parameters=[IDEMPOTENCY_HEADER, REPLAYED_HEADER],
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
