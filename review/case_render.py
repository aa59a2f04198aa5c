"""The case page's repeated parts as HTML built in Python: a 60-member case repeats each
member's timeline and links a few hundred times, and the template engine's per-variable cost
(and a URL reversal per link) would be most of the page's time (bench/review_cases.py).

Every text is escaped here with the standard library's html.escape (quotes included: what
Django's escape does, without its lazy-string wrapper, which cost more than the escaping);
the result is marked safe."""

from html import escape

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from review.selectors import TimelineEntry

_PLACEHOLDER = 987654321


def _e(value) -> str:
    return escape(str(value), quote=True)


def candidate_url_maker():
    """candidate id -> its page's URL, with one URL reversal for all of them."""
    pattern = reverse("review:candidate", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
    return pattern.format


def member_links(members: list[dict], url) -> SafeString:
    """"Ann, Ben, ..." each a link to their page."""
    return mark_safe(", ".join(
        f'<a href="{_e(url(m["id"]))}">{_e(m["full_name"] or m["external_id"])}</a>'
        for m in members))


def timeline_html(entries: list[TimelineEntry]) -> SafeString:
    """One member's timeline, as candidate.html draws a candidate's (ol.timeline)."""
    if not entries:
        return mark_safe('<p class="muted">No decision yet.</p>')
    items = []
    for e in entries:
        level = e.extra.get("risk_level") if e.extra else ""
        score = e.extra.get("risk_score") if e.extra else None
        at_risk = ""
        if level:
            at_risk = f" · at {_e(level)}" + (f" ({_e(score)})" if score is not None else "")
        when = timezone.localtime(e.at)
        items.append(
            f'<li class="tl-{_e(e.kind)} tl-{_e(e.action)}"><div class="tl-head">'
            f'<strong>{_e(e.label)}</strong> <span class="muted">by {_e(e.actor)}</span></div>'
            f'<div class="tl-when muted"><time datetime="{_e(e.at.isoformat())}">'
            f'{when.strftime("%-d %b %Y %H:%M")}</time>{at_risk}</div>')
        if e.reason:
            items.append(f'<div class="tl-reason">{_e(e.reason)}</div>')
        if e.comment:
            comment = _e(e.comment).replace("\n", "<br>")
            items.append(f'<blockquote class="tl-comment">{comment}</blockquote>')
        items.append("</li>")
    return mark_safe('<ol class="timeline">' + "".join(items) + "</ol>")
