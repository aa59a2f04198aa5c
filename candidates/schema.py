"""What the OpenAPI schema (/api/v1/schema/) says beyond what drf-spectacular infers, so that
it tells the whole truth about the API:

- every error status an operation can answer, with the error body (core/exceptions.py)
  and the Retry-After and WWW-Authenticate headers (document_error_responses, a
  postprocessing hook in SPECTACULAR_SETTINGS);
- `additionalProperties: false` on every input object: StrictSerializer refuses unknown
  fields (StrictSerializerExtension);
- the ISO 3166-1 codes a country field takes or returns (CountryFieldExtension).

Imported by CandidatesConfig.ready(): extensions register themselves on import.
"""

from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import ResolvedComponent

from candidates.normalize import COUNTRY_CODES

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error answered under /api/ has this shape.",
    "properties": {
        "code": {"type": "string", "description": "Stable, machine-readable: `invalid`, "
                 "`parse_error`, `not_found`, `throttled`, ..."},
        "message": {"type": "string", "description": "For people; may change."},
        "fields": {
            "type": "object",
            "additionalProperties": True,
            "description": "Validation errors only: the messages for each field at fault, "
            "shaped like the payload; items of a list are keyed by their index.",
        },
    },
    "required": ["code", "message"],
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}
WWW_AUTHENTICATE = {
    "WWW-Authenticate": {"required": True, "schema": {"type": "string"}},
}

ERRORS = {
    400: "Invalid request: malformed JSON (`parse_error`), or invalid fields or query "
         "parameters (`invalid`, with `fields` naming each one). Nothing was saved.",
    401: "Missing, unknown or revoked API key.",
    404: "No such candidate for this API key.",
    406: "The Accept header does not allow application/json.",
    413: "The request body is over the size limit (DATA_UPLOAD_MAX_MEMORY_SIZE, 3 MiB by "
         "default).",
    415: "The request body is not application/json.",
    422: "This Idempotency-Key was already used with a different request.",
    429: "Over this API key's rate limit (API_RATE_LIMIT); retry after Retry-After seconds.",
    503: "Temporarily unavailable (the database cannot be reached); retry after Retry-After "
         "seconds.",
}
ERROR_HEADERS = {401: WWW_AUTHENTICATE, 429: RETRY_AFTER, 503: RETRY_AFTER}


def error_codes(operation: dict) -> list[int]:
    """The error statuses an operation can answer, from what it takes."""
    parameters = operation.get("parameters", [])
    codes = [406, 503]  # content negotiation and the database concern every operation
    if any(requirement for requirement in operation.get("security", [])):
        codes += [401, 429]  # the key is checked, then counted against its rate
    if operation.get("requestBody") or any(p["in"] in ("query", "header") for p in parameters):
        codes.append(400)
    if any(p["in"] == "path" for p in parameters):
        codes.append(404)
    if operation.get("requestBody"):
        codes += [413, 415]
    if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in parameters):
        codes.append(422)
    return sorted(codes)


def document_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the error responses of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code in error_codes(operation):
                response = {
                    "description": ERRORS[code],
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}},
                }
                if code in ERROR_HEADERS:
                    response["headers"] = ERROR_HEADERS[code]
                responses.setdefault(str(code), response)
    return result


class StrictSerializerExtension(OpenApiSerializerExtension):
    """StrictSerializer answers 400 for any field it does not define: say so."""

    target_class = "candidates.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["additionalProperties"] = False
        return schema


class CountryFieldExtension(OpenApiSerializerFieldExtension):
    """A country field is one of the ISO 3166-1 alpha-2 codes (plus XK), or "" where it may
    be blank: two shared enum components rather than 250 codes repeated in every field."""

    target_class = "candidates.serializers.CountryField"

    def map_serializer_field(self, auto_schema, direction):
        blank = bool(self.target.allow_blank)
        name = "CountryCodeOrBlank" if blank else "CountryCode"
        description = "ISO 3166-1 alpha-2 country code (and XK for Kosovo)"
        if blank:
            description += ', or "" when unknown'
        component = ResolvedComponent(
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema={
                "type": "string",
                "enum": [*COUNTRY_CODES, *([""] if blank else [])],
                "description": description + ". Upper case; lower case is accepted on input.",
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
