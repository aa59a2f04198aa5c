"""The ATS-facing REST API, /api/v1/."""

import re

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from candidates.filters import CandidateFilterSet
from candidates.idempotency import MAX_KEY_LENGTH, idempotent_call, request_hash
from candidates.models import Candidate
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

    filter_backends = [DjangoFilterBackend]
    filterset_class = CandidateFilterSet
    # The model, for the schema generator (which has no integration to scope by); requests
    # always go through get_queryset.
    queryset = Candidate.objects.none()

    def get_queryset(self):
        return candidate_list(integration=self.request.user.integration)

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
        "the write commits; `risk.status` is `pending` until it is done.\n\n"
        "**Refused (400, nothing saved):** what the integration gets wrong: an unknown "
        "field, a value of the wrong JSON type, a missing required field, an unknown "
        "choice or country code, a date in the future, an IP that is not one, a malformed "
        "email, a text over its length, and a profile value that names a scheme other than "
        "http(s) (javascript:, data:, file:...), carries credentials or points at localhost "
        "or an IP address.\n\n"
        "**Stored as typed and flagged (201/200):** evidence a person typed that does not "
        "normalise is never a reason to lose the applicant: a phone no country reads "
        "(`data.phone_unparseable`; the number is first tried for location.country, as an "
        "international number and for the countries of the addresses, bank and "
        "employers), an IBAN that does not validate (`data.iban_invalid`), an account or "
        "routing number that is not one (`data.account_number_invalid`), a bank_country "
        "contradicting the IBAN (`data.bank_country_conflict`), an address without a street "
        "or with a postal code not in its country's format (`data.address_unparsed`), a "
        "profile value that is not a profile of its network "
        "(`data.profile_unrecognised`). The candidate is scored like any other; the "
        "output shows the phone and profile as typed. Account numbers are still kept only "
        "as fingerprints and last four characters, and malformed values still take part "
        "in reuse matching (docs/data-quality.md).",
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
