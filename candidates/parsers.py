"""The API's JSON parser: DRF's, refusing with a 400 what would otherwise fail later as a 500."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The contract nests three levels (candidate > list > item); anything much deeper is a bug
# or an attack on the parser's recursion.
MAX_DEPTH = 32


class StrictJSONParser(JSONParser):
    """JSON as RFC 8259 and I-JSON (RFC 7493) define it, and no deeper than MAX_DEPTH.

    - Deep nesting: Python's decoder recurses per level and raises RecursionError (not a
      ValueError) at about a thousand; shallower but still absurd nesting is refused too.
    - Unpaired surrogates (a lone "\\ud800" escape) decode to strings that cannot be encoded
      again: PostgreSQL and the JSON renderer would fail on them.
    - An unknown charset in the Content-Type is a LookupError in the decoder.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from None
        except LookupError:
            raise ParseError("Unknown charset in the Content-Type header.") from None
        _check(data)
        return data


def _check(data) -> None:
    """Walk the parsed document without recursion: depth and unpaired surrogates."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, dict):
            for key in value:
                _check_text(key)
            value = value.values()
        stack.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ParseError("JSON string with an unpaired surrogate (e.g. \\ud800); send valid "
                         "Unicode text.") from None
