"""Geometry for the overview's SVG charts, rendered by templates/review/overview.html.

Server-rendered SVG: no chart library, no CDN, works without JavaScript. Every bar carries its
number as text and every chart has a table of the same figures, so nothing depends on colour.
"""

from __future__ import annotations

from candidates.choices import RiskLevel


def _svg(geometry: dict) -> dict:
    """Numbers as strings, so the template does not localise each of them (slow, and a
    locale with decimal commas would break the SVG)."""
    def text(value):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        return f"{value:.1f}".removesuffix(".0")

    return {key: text(value) for key, value in geometry.items()}



def bar_rows(items: list[dict], *, width: int = 230, row: int = 30, label_width: int = 120
             ) -> dict:
    """Horizontal bars. items: [{"label", "count", "key"}] -> geometry for each bar."""
    top = max([item["count"] for item in items] + [1])
    rows = []
    for i, item in enumerate(items):
        length = round(width * item["count"] / top, 1) if item["count"] else 0
        rows.append(_svg({**item, "y": i * row, "bar_y": i * row + 6, "bar_h": row - 12,
                          "length": length, "text_x": label_width + length + 6,
                          "text_y": i * row + row / 2 + 4}) | {"count": item["count"]})
    return {"rows": rows, "label_width": label_width, "height": len(items) * row,
            "width": label_width + width + 50, "total": sum(i["count"] for i in items)}


def levels_chart(levels: dict) -> dict:
    rows = [{"key": level.value, "label": level.label, "count": levels.get(level.value, 0)}
            for level in reversed(RiskLevel)]  # riskiest first
    rows.append({"key": "unscored", "label": "Not scored yet", "count": levels.get("unscored", 0)})
    return bar_rows(rows)


def decisions_chart(decisions: dict) -> dict:
    return bar_rows([{"key": row["action"], "label": row["label"], "count": row["count"]}
                     for row in decisions["rows"]])


def columns_chart(items: list[dict], *, height: int = 150, column: int = 66) -> dict:
    """Vertical bars with their label below and count above. items: [{"label", "count"}]."""
    top = max([item["count"] for item in items] + [1])
    columns = []
    for i, item in enumerate(items):
        h = round(height * item["count"] / top, 1) if item["count"] else 0
        columns.append(_svg({**item, "x": i * column + 8, "w": column - 16, "h": h,
                             "y": 20 + height - h, "mid": i * column + column / 2,
                             "count_y": 20 + height - h - 6, "label_y": 20 + height + 18})
                       | {"count": item["count"]})
    return {"columns": columns, "width": len(items) * column, "height": height + 46,
            "base_y": 20 + height}


def flags_chart(flags_by_week: dict, *, limit: int = 10, cell: int = 40, band: int = 30,
                label_width: int = 340) -> dict:
    """Flags by code over time: small multiples, one row per code (most frequent first), one
    column per week. Each row is scaled to its own busiest week, so a rare flag's trend is as
    visible as a common one's; the row's total is printed at its end for the magnitude."""
    codes = flags_by_week["codes"][:limit]
    rows = []
    for r, code in enumerate(codes):
        top = max(code["counts"] + [1])
        bars = []
        for w, count in enumerate(code["counts"]):
            h = max(2.0, round((band - 8) * count / top, 1)) if count else 0
            bars.append(_svg({"x": label_width + w * cell + 3, "y": r * band + band - 4 - h,
                              "w": cell - 6, "h": h}) | {"count": count,
                                                          "week": flags_by_week["weeks"][w]})
        rows.append({**code, **_svg({"y": r * band, "text_y": r * band + band / 2 + 4,
                                     "base_y": r * band + band - 4}), "bars": bars})
    weeks = len(flags_by_week["weeks"])
    return {
        "rows": rows, "label_width": label_width, "cell": cell,
        "width": label_width + weeks * cell + 60, "height": max(1, len(rows)) * band + 22,
        "axis_y": max(1, len(rows)) * band + 16, "total_x": label_width + weeks * cell + 8,
        "weeks": flags_by_week["weeks"], "first_week": flags_by_week["weeks"][0],
        "last_week": flags_by_week["weeks"][-1], "last_x": label_width + weeks * cell,
        "more": max(0, len(flags_by_week["codes"]) - limit),
    }


def reviewers_chart(reviewers: dict, *, width: int = 230, row: int = 30,
                    label_width: int = 140, limit: int = 12) -> dict:
    """Decisions per reviewer: one horizontal bar per reviewer (busiest first, at most
    `limit`; the table under the chart has everyone), split into one segment per outcome,
    in the order of reviewers["actions"]. Bars share one scale, so lengths compare."""
    people = reviewers["rows"][:limit]
    top = max([p["total"] for p in people] + [1])
    actions = [a["action"] for a in reviewers["actions"]]
    rows = []
    for i, person in enumerate(people):
        x = label_width
        segments = []
        for action, count in zip(actions, person["counts"], strict=True):
            length = round(width * count / top, 1)
            if count:
                segments.append(_svg({"x": x, "w": length}) | {"action": action,
                                                                 "count": count})
            x += length
        rows.append(_svg({"bar_y": i * row + 6, "bar_h": row - 12, "text_x": x + 6,
                          "text_y": i * row + row / 2 + 4})
                    | {"name": person["name"], "total": person["total"],
                       "segments": segments})
    return {"rows": rows, "label_width": label_width, "height": max(1, len(rows)) * row,
            "width": label_width + width + 50, "more": max(0, len(reviewers["rows"]) - limit),
            "actions": reviewers["actions"]}


def duration_text(hours: float | None) -> str:
    """A waiting time as people say it: "40 min", "7.5 h", "3.2 days"; "—" without one."""
    if hours is None:
        return "—"
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.1f}".removesuffix(".0") + " h"
    return f"{hours / 24:.1f}".removesuffix(".0") + " days"
