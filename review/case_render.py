"""The case page's repeated parts as HTML built in Python: a 60-member case repeats each
member's timeline and links a few hundred times, and the template engine's per-variable cost
(and a URL reversal per link) would be most of the page's time (bench/review_cases.py).
Every text is escaped here (format_html); the result is marked safe."""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from review.selectors import TimelineEntry

_PLACEHOLDER = 987654321


def candidate_url_maker():
    """candidate id -> its page's URL, with one URL reversal for all of them."""
    pattern = reverse("review:candidate", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
    return pattern.format


def member_links(members: list[dict], url) -> SafeString:
    """"Ann, Ben, ..." each a link to their page."""
    return format_html_join(", ", '<a href="{}">{}</a>',
                            ((url(m["id"]), m["full_name"] or m["external_id"])
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
            at_risk = f" · at {level}" + (f" ({score})" if score is not None else "")
        parts = [format_html(
            '<li class="tl-{} tl-{}"><div class="tl-head"><strong>{}</strong> '
            '<span class="muted">by {}</span></div><div class="tl-when muted">'
            '<time datetime="{}">{}</time>{}</div>',
            e.kind, e.action, e.label, e.actor, e.at.isoformat(),
            timezone.localtime(e.at).strftime("%-d %b %Y %H:%M"), at_risk)]
        if e.reason:
            parts.append(format_html('<div class="tl-reason">{}</div>', e.reason))
        if e.comment:
            comment = mark_safe(conditional_escape(e.comment).replace("\n", "<br>"))
            parts.append(format_html('<blockquote class="tl-comment">{}</blockquote>',
                                     comment))
        parts.append("</li>")
        items.append("".join(parts))
    return mark_safe('<ol class="timeline">' + "".join(items) + "</ol>")
