"""Small presentation helpers for the review pages: badges that carry their meaning in text
(never colour alone), masked account numbers, flag evidence as readable lists."""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from candidates.choices import RiskLevel
from review.graph import kind_label as _kind_label
from review.models import ReviewState
from review.selectors import flag_title

register = template.Library()

EVIDENCE_KEYS = {
    "others": "Other applicants",
    "same_name": "Same name as",
    "identifier": "Shared identifier",
    "kind": "Kind",
    "count": "How many others",
    "together": "Flags together",
    "note": "Note",
}


@register.simple_tag
def level_badge(level: str, score=None):
    text = RiskLevel.label_of(level)
    key = level if level in RiskLevel.values else "none"
    if score is not None and score != "":
        return format_html(
            '<span class="badge level level-{}"><span class="score">{}</span> {}</span>',
            key, score, text)
    return format_html('<span class="badge level level-{}">{}</span>', key, text)


@register.simple_tag
def state_badge(state: str):
    try:
        label = ReviewState(state).label
    except ValueError:
        label = state
    return format_html('<span class="badge state state-{}">{}</span>', state, label)


@register.filter
def kind_label(kind: str) -> str:
    return _kind_label(kind)


@register.filter
def last4(value: str) -> str:
    """An account number shown as its last four characters only."""
    return f"•••• {value}" if value else ""


# libphonenumber's number types, in words ("fixed_line_or_mobile" is an internal code).
PHONE_TYPES = {
    "MOBILE": "mobile", "FIXED_LINE": "landline", "FIXED_LINE_OR_MOBILE": "mobile or landline",
    "VOIP": "VoIP", "TOLL_FREE": "toll-free", "PREMIUM_RATE": "premium rate",
    "PERSONAL_NUMBER": "personal number", "PAGER": "pager", "UAN": "company number",
    "SHARED_COST": "shared cost", "VOICEMAIL": "voicemail",
}


@register.filter
def phone_type(number_type: str) -> str:
    return PHONE_TYPES.get((number_type or "").upper(), "type unknown")


@register.filter
def humanize_key(key: str) -> str:
    return EVIDENCE_KEYS.get(key, str(key).replace("_", " ").capitalize())


@register.filter
def flag_code_title(code: str) -> str:
    return flag_title(code)


@register.simple_tag
def evidence(value):
    """A flag's evidence (dicts, lists, values) as nested definition lists; other applicants
    ({"id", "full_name", ...}) as links to their pages."""
    return mark_safe(_render(value, depth=0))


def _render(value, depth: int) -> str:
    if depth > 4:
        return conditional_escape(str(value))
    if isinstance(value, dict):
        if _is_candidate(value):
            return _candidate_link(value)
        if not value:
            return "—"
        items = format_html_join(
            "", "<div><dt>{}</dt><dd>{}</dd></div>",
            ((humanize_key(k), mark_safe(_render(v, depth + 1))) for k, v in value.items()))
        return format_html('<dl class="evidence">{}</dl>', items)
    if isinstance(value, list | tuple):
        if not value:
            return "none"
        if all(not isinstance(v, dict | list | tuple) for v in value) and len(value) <= 6:
            return conditional_escape(", ".join(str(v) for v in value))
        items = format_html_join("", "<li>{}</li>",
                                 ((mark_safe(_render(v, depth + 1)),) for v in value))
        return format_html('<ul class="evidence-list">{}</ul>', items)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return conditional_escape(f"{value:g}")
    return conditional_escape(str(value))


def _is_candidate(value: dict) -> bool:
    return isinstance(value.get("id"), int) and ("full_name" in value or "external_id" in value)


def _candidate_link(value: dict) -> str:
    url = reverse("review:candidate", kwargs={"pk": value["id"]})
    name = value.get("full_name") or value.get("external_id") or f"#{value['id']}"
    extra = []
    if value.get("external_id"):
        extra.append(value["external_id"])
    if isinstance(value.get("similarity"), int | float):
        extra.append(f"{round(value['similarity'] * 100)}% similar")
    suffix = format_html(' <span class="muted">({})</span>', ", ".join(extra)) if extra else ""
    return format_html('<a href="{}">{}</a>{}', url, name, suffix)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None or "" removes them)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value not in (None, ""):
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def thousands(value) -> str:
    """12345 -> "12,345" (the queue's counts)."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
