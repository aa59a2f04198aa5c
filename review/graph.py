"""Server-side layout of the linked-identities graph, drawn as SVG by the candidate page.

Every shared identifier is a labelled hub ("Phone", "Bank account", ...) joined to the
candidates presenting it: an identifier two applicants share reads as a labelled edge
between them, and one that twelve share reads as a star, which is what a ring looks like.

Layout (deterministic, O(nodes + memberships), no physics so it costs nothing per request):
- the candidate in the middle;
- the linked candidates evenly on a circle, grouped by the strongest identifier they share
  with the candidate, so each ring sits together on the circle;
- the identifiers the candidate shares on an inner circle, each at the mean angle of its
  members; identifiers shared only among the others on a middle circle, likewise;
- names beside their node (horizontal for small graphs, radial for large ones), each node a
  link to that candidate's page.

Reviewed applicants are drawn by outcome as well as by level: rejected ones with a dark red
ring, cross-hatched, and "rejected" in their label and title; cleared and approved ones in a
muted green. The legend under the graph says so.

`compact=True` lays out the small version the candidate page opens with: no names (each node
names itself in its title and aria-label), short hub labels, sized to sit beside the top
reasons; the full graph stays further down the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from candidates.choices import WEAK_IDENTIFIER_KINDS, IdentifierKind, RiskLevel
from review.selectors import GraphData

# A near-duplicate resume is drawn like a shared identifier, though it is not one.
RESUME = "resume"

NODE_R = 15
CENTER_R = 24
RADIAL_LABELS_FROM = 15  # more linked candidates than this: labels along the radius
LABEL_ROOM = 200  # space around the circle for radial labels (name · score · level)


@dataclass(frozen=True)
class Sizes:
    node_r: int
    center_r: int
    min_ring: float
    per_node: float  # circumference per linked candidate
    inner_min: float  # smallest radius of the inner hub circle
    hub_half: float  # half a hub pill's width, for spacing them round the candidate
    char: float  # width of a hub label's character


FULL = Sizes(node_r=NODE_R, center_r=CENTER_R, min_ring=270.0, per_node=30, inner_min=140.0,
             hub_half=80, char=6.6)
COMPACT = Sizes(node_r=8, center_r=13, min_ring=135.0, per_node=19, inner_min=84.0,
                hub_half=46, char=6.2)
SHORT_KINDS = {"bank_account": "Bank", "wallet": "Wallet", "payout_email": "Payout",
               "shipping_address": "Shipping", "residential_address": "Home",
               "mailing_address": "Mail", "ip": "IP", "stackoverflow": "Stack Overflow",
               "github": "GitHub", "linkedin": "LinkedIn", "gitlab": "GitLab",
               "portfolio": "Portfolio", "email": "Email", "phone": "Phone",
               RESUME: "Resume"}
# Review outcomes drawn apart from the open reviews.
DECIDED_STYLE = {"rejected": "rejected", "cleared": "cleared", "approved": "cleared"}


@dataclass
class Layout:
    width: int
    height: int
    nodes: list[dict] = field(default_factory=list)
    hubs: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    radial: bool = False
    compact: bool = False


def kind_label(kind: str) -> str:
    return "Resume" if kind == RESUME else IdentifierKind.label_of(kind)


def mask_label(kind: str, label: str) -> str:
    """What a reviewer may see of an identifier: account and wallet numbers end-only."""
    if kind == "wallet" and len(label) > 4:
        return f"Wallet …{label[-4:]}"
    return label


def graph_layout(graph: GraphData, *, compact: bool = False) -> Layout:
    sizes = COMPACT if compact else FULL
    center = graph.center_id
    others = [node_id for node_id in _ordered_others(graph)]
    n = len(others)
    radial = n > RADIAL_LABELS_FROM and not compact
    ring = max(sizes.min_ring, n * sizes.per_node / (2 * math.pi)) if n else 0.0
    margin = (30 if compact else LABEL_ROOM if radial else 70) + sizes.node_r
    half = ring + margin
    width = int(2 * half)
    height = int(2 * half) if n else 200
    cx, cy = width / 2, height / 2
    layout = Layout(width=width, height=height, radial=radial, compact=compact)

    angles = {node_id: -math.pi / 2 + 2 * math.pi * i / n for i, node_id in enumerate(others)}
    positions = {center: (cx, cy)}
    for node_id, angle in angles.items():
        positions[node_id] = (cx + ring * math.cos(angle), cy + ring * math.sin(angle))

    hubs = [dict(h) for h in graph.hubs if all(m in positions for m in h["members"])]
    for i, hub in enumerate(hubs):
        hub["index"] = f"h{i}"
        hub["text"] = _hub_text(hub, compact)
    inner = [h for h in hubs if center in h["members"]]
    middle = [h for h in hubs if center not in h["members"]]
    _place_inner_hubs(inner, angles, radius=max(sizes.inner_min, ring * 0.48), cx=cx, cy=cy,
                      half_width=sizes.hub_half)
    _place_hubs(middle, angles, ring=ring, cx=cx, cy=cy, sizes=sizes)

    for hub in inner + middle:
        layout.hubs.append(_hub_view(hub, sizes))
        for member in hub["members"]:
            x, y = positions[member]
            layout.edges.append({
                "x1": _r(hub["x"]), "y1": _r(hub["y"]), "x2": _r(x), "y2": _r(y),
                "kind": hub["kind"], "weak": hub["kind"] in WEAK_IDENTIFIER_KINDS,
                "node": member, "hub": hub["index"],
                "title": f"{graph.nodes[member]['full_name']}: {kind_label(hub['kind'])} "
                         f"{mask_label(hub['kind'], hub['label'])}",
            })
    for node_id, (x, y) in positions.items():
        layout.nodes.append(_node_view(graph.nodes[node_id], x, y, node_id == center,
                                       angles.get(node_id), radial, sizes))
    return layout


def _ordered_others(graph: GraphData) -> list[int]:
    """Linked candidates grouped by the strongest identifier they share with the center."""
    center = graph.center_id
    primary: dict[int, int] = {}
    for index, hub in enumerate(graph.hubs):
        if center in hub["members"]:
            for member in hub["members"]:
                primary.setdefault(member, index)
    memberships: dict[int, int] = {}
    for hub in graph.hubs:
        for member in hub["members"]:
            memberships[member] = memberships.get(member, 0) + 1
    others = [node_id for node_id in graph.nodes if node_id != center]
    others.sort(key=lambda i: (primary.get(i, len(graph.hubs)), -memberships.get(i, 0), i))
    return others


def _mean_angle(hub: dict, angles: dict[int, float]) -> tuple[float, float]:
    """The circular mean angle of the hub's (non-center) members, and how concentrated they
    are (1: all at one angle; near 0: spread all round, as for an IP shared by everyone)."""
    members = [angles[m] for m in hub["members"] if m in angles]
    if not members:
        return -math.pi / 2, 0.0
    x = sum(math.cos(a) for a in members) / len(members)
    y = sum(math.sin(a) for a in members) / len(members)
    return math.atan2(y, x), math.hypot(x, y)


def _place_hubs(hubs: list[dict], angles: dict[int, float], *, ring: float, cx: float,
                cy: float, sizes: Sizes = FULL) -> None:
    """Identifiers shared among the others only: between their members and the middle,
    pulled in far enough that the pill clears the nodes on the circle."""
    for hub in hubs:
        hub["angle"], _ = _mean_angle(hub, angles)
        width = _hub_width(hub, sizes)
        extent = abs(math.cos(hub["angle"])) * width / 2 + abs(math.sin(hub["angle"])) * 11
        radius = max(ring * 0.5, ring - sizes.node_r - 10 - extent)
        hub["x"] = cx + radius * math.cos(hub["angle"])
        hub["y"] = cy + radius * math.sin(hub["angle"])


def _place_inner_hubs(hubs: list[dict], angles: dict[int, float], *, radius: float,
                      cx: float, cy: float, half_width: float = 80) -> None:
    """The candidate's own identifiers, around it: each as close as it can get to the
    direction of its members, apart from the others, and never straight above (where the
    candidate's name is). Greedy over 15-degree slots, the most directional hub first;
    hubs whose members are all round (a shared office IP) take the emptiest direction."""
    slots = [math.radians(d) for d in range(0, 360, 15)
             if _angle_distance(math.radians(d), -math.pi / 2) > math.radians(35)]
    gap = 2 * math.asin(min(1.0, half_width / radius))
    placed: list[float] = []
    for hub in hubs:
        hub["mean"], hub["spread"] = _mean_angle(hub, angles)
    for hub in sorted(hubs, key=lambda h: -h["spread"]):
        free = [a for a in slots if all(_angle_distance(a, b) >= gap for b in placed)] or slots
        if hub["spread"] >= 0.3:
            angle = min(free, key=lambda a: _angle_distance(a, hub["mean"]))
        else:
            angle = max(free, key=lambda a: min((_angle_distance(a, b) for b in placed),
                                                default=_angle_distance(a, -math.pi / 2)))
        placed.append(angle)
        hub["angle"] = angle
        hub["x"] = cx + radius * math.cos(angle)
        hub["y"] = cy + radius * math.sin(angle)


def _angle_distance(a: float, b: float) -> float:
    return abs(math.atan2(math.sin(a - b), math.cos(a - b)))


def _hub_text(hub: dict, compact: bool = False) -> str:
    kind = hub["kind"]
    text = SHORT_KINDS.get(kind, kind_label(kind)) if compact else kind_label(kind)
    if len(hub["members"]) > 2:
        text += f" · {len(hub['members'])}"
    return text


def _hub_width(hub: dict, sizes: Sizes = FULL) -> float:
    return 14 + sizes.char * len(hub.get("text") or _hub_text(hub))


def _hub_view(hub: dict, sizes: Sizes = FULL) -> dict:
    text = hub.get("text") or _hub_text(hub)
    width = _hub_width(hub, sizes)
    height = 18 if sizes is COMPACT else 22
    return {
        "x": _r(hub["x"]), "y": _r(hub["y"]), "text": text, "kind": hub["kind"],
        "rx": _r(hub["x"] - width / 2), "ry": _r(hub["y"] - height / 2), "w": _r(width),
        "h": str(height), "corner": str(height // 2),
        "weak": hub["kind"] in WEAK_IDENTIFIER_KINDS, "id": hub["index"],
        "title": f"{kind_label(hub['kind'])} {mask_label(hub['kind'], hub['label'])}, "
                 f"shared by {len(hub['members'])} applicants",
    }


def _node_view(node: dict, x: float, y: float, is_center: bool, angle: float | None,
               radial: bool, sizes: Sizes = FULL) -> dict:
    r = sizes.center_r if is_center else sizes.node_r
    name = node["full_name"] or node["external_id"]
    level = node["risk_level"] or ""
    score = "" if node["risk_score"] is None else str(node["risk_score"])
    state = node["state"]
    decided = DECIDED_STYLE.get(state, "")
    detail = f"{score} · {RiskLevel.label_of(level, 'Unscored')}" if score else "Unscored"
    if decided:
        detail += f" · {state}"
    view = {
        "id": node["id"], "x": _r(x), "y": _r(y), "r": str(r), "center": is_center,
        "level": level or "none", "score": score, "state": state, "decided": decided,
        "title": f"{name} ({node['external_id']}): score {score or 'pending'}, "
                 f"{level or 'unscored'} risk, review {state.replace('_', ' ')}"
                 + (" (REJECTED)" if state == "rejected" else ""),
        "name": _truncate(name, 26 if is_center or not radial else 22),
        "detail": detail,
    }
    if is_center:  # name above: the identifiers it shares sit around and below it
        view.update(label_x=_r(x), label_y=_r(y - r - 24), detail_y=_r(y - r - 9),
                    anchor="middle", rotate=0)
        return view
    if not radial or angle is None:
        view.update(label_x=_r(x), label_y=_r(y + r + 15), detail_y=_r(y + r + 29),
                    anchor="middle", rotate=0)
        return view
    # Radial label: outward from the node, never upside down.
    degrees = math.degrees(angle)
    flip = 90 < (degrees % 360) < 270
    offset = r + 6
    lx, ly = x + offset * math.cos(angle), y + offset * math.sin(angle)
    view.update(label_x=_r(lx), label_y=_r(ly), anchor="end" if flip else "start",
                rotate=_r((degrees + 180 if flip else degrees) % 360))
    return view


def _truncate(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _r(value: float) -> str:
    """A coordinate as SVG text. Strings, not floats: the template would otherwise localise
    each of the graph's thousand numbers, which costs more than the whole layout."""
    return f"{value:.1f}"



def graph_svg(layout: Layout, *, title: str, node_url, compact: bool = False) -> str:
    """The layout as SVG markup (marked safe: every text is escaped here).

    Built in Python rather than in a template: a large ring has a thousand attributes, and
    the template engine's per-variable cost would be most of the page's time.
    `node_url(candidate_id)` gives each node's link. The compact version (the page's opening)
    draws no names; its ids are its own, so both can be on one page.
    """
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    prefix = "graph-mini" if compact else "graph"
    classes = "graph-svg" + (" radial" if layout.radial else "") + (" compact" if compact
                                                                      else "")
    parts = [
        f'<svg viewBox="0 0 {layout.width} {layout.height}" width="{layout.width}" '
        f'height="{layout.height}" role="group" aria-labelledby="{prefix}-title '
        f'{prefix}-desc" class="{classes}" data-graph>',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">The candidate in the middle; each labelled pill is an '
        "identifier shared by the applicants it is joined to. Each applicant is a link to "
        "their page. Rejected applicants are cross-hatched; cleared or approved ones are "
        "green.</desc>",
        f'<defs><pattern id="{prefix}-hatch" width="5" height="5" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<line x1="0" y1="0" x2="0" y2="5" class="hatch-line"/></pattern></defs>',
        '<g class="edges">',
    ]
    for e in layout.edges:
        parts.append(
            f'<line x1="{e["x1"]}" y1="{e["y1"]}" x2="{e["x2"]}" y2="{e["y2"]}" '
            f'class="edge kind-{e["kind"]}{" weak" if e["weak"] else ""}" '
            f'data-node="{e["node"]}" data-hub="{e["hub"]}"><title>{escape(e["title"])}'
            "</title></line>")
    parts.append('</g><g class="hubs">')
    for h in layout.hubs:
        parts.append(
            f'<g class="hub kind-{h["kind"]}{" weak" if h["weak"] else ""}" '
            f'data-hub="{h["id"]}"><title>{escape(h["title"])}</title>'
            f'<rect x="{h["rx"]}" y="{h["ry"]}" width="{h["w"]}" height="{h["h"]}" '
            f'rx="{h["corner"]}"/>'
            f'<text x="{h["x"]}" y="{h["y"]}" dy="0.35em" text-anchor="middle">'
            f'{escape(h["text"])}</text></g>')
    parts.append('</g><g class="nodes">')
    for n in layout.nodes:
        parts.append(_node_svg(n, layout, prefix, node_url, escape))
    parts.append("</g></svg>")
    return mark_safe("".join(parts))


def _node_svg(n: dict, layout: Layout, prefix: str, node_url, escape) -> str:
    hatch = (f'<circle class="hatch" cx="{n["x"]}" cy="{n["y"]}" r="{n["r"]}" '
             f'fill="url(#{prefix}-hatch)"/>') if n["decided"] == "rejected" else ""
    decided = f" decided-{n['decided']}" if n["decided"] else ""
    opening = (f'<a href="{escape(node_url(n["id"]))}" class="node level-{n["level"]}'
               f'{" center" if n["center"] else ""}{decided}" data-node="{n["id"]}" '
               f'aria-label="{escape(n["title"])}"><title>{escape(n["title"])}</title>'
               f'<circle cx="{n["x"]}" cy="{n["y"]}" r="{n["r"]}"/>{hatch}')
    if layout.compact:
        return opening + "</a>"
    label = escape(n["name"])
    if layout.radial and not n["center"]:
        label += f" · {escape(n['detail'])}"
    rotate = (f' dominant-baseline="central" transform="rotate({n["rotate"]} '
              f'{n["label_x"]} {n["label_y"]})"') if n["rotate"] else ""
    detail = ""
    if not layout.radial or n["center"]:
        detail = (f'<text class="node-detail" x="{n["label_x"]}" y="{n["detail_y"]}" '
                  f'text-anchor="middle">{escape(n["detail"])}</text>')
    return (opening
            + f'<text class="node-score" x="{n["x"]}" y="{n["y"]}" dy="0.35em" '
              f'text-anchor="middle">{escape(n["score"] or "?")}</text>'
              f'<text class="node-label" x="{n["label_x"]}" y="{n["label_y"]}" '
              f'text-anchor="{n["anchor"]}"{rotate}>{label}</text>{detail}</a>')
