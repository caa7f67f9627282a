"""The dashboard's charts, drawn here as SVG (no library, no internet): each with its
numbers in a table below it (or a named table on the page), so a screen reader and a
printout carry the same figures as the picture.

Every function answers ``Markup`` ready for the template; every text from the data is
escaped.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from motcua.domain.text import vn_number

FULL_POINTS_PCT = 100  # Decision 766, on-time: 20·r/100 points, full only at 100%
TILE_COLUMNS = 8


def _pct(value) -> str:
    return f"{vn_number(value, 1)}%" if value is not None else "—"


def _table(caption: str, head: list[str], rows: list[list[str]]) -> str:
    out = [f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'
           f'<table class="list"><caption>{escape(caption)}</caption><thead><tr>']
    out += [f'<th scope="col">{escape(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append(f'<tr><th scope="row">{escape(row[0])}</th>'
                   + "".join(f"<td>{escape(c)}</td>" for c in row[1:]) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def trend(rows: list[dict], last_year: dict[str, dict], link: Callable[[dict], str]) -> Markup:
    """The on-time rate per month as a line, against the level that earns Decision 766's
    full points and the same month a year before (dashed)."""
    if not rows:
        return Markup('<p class="muted">Chưa có hồ sơ trong kỳ.</p>')
    width, height, left, top, right = 640, 220, 44, 24, 40
    inner_w, inner_h = width - left - right, height - top - 30
    step = inner_w / max(1, len(rows) - 1) if len(rows) > 1 else 0

    def x(i: int) -> float:
        return left + (i * step if len(rows) > 1 else inner_w / 2)

    def y(rate: float) -> float:
        return top + inner_h * (1 - rate / 100)

    parts = [f'<svg class="chart trend" viewBox="0 0 {width} {height + 24}" role="img" '
             f'aria-label="Tỷ lệ đúng hạn theo tháng so với cùng kỳ năm trước và mức điểm '
             f'tối đa; số liệu ở bảng dưới">']
    for level in (0, 50, 100):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(level):.1f}" '
                     f'y2="{y(level):.1f}" class="grid"/>'
                     f'<text x="{left - 6}" y="{y(level) + 4:.1f}" class="axis end">'
                     f'{level}%</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(FULL_POINTS_PCT):.1f}" '
                 f'y2="{y(FULL_POINTS_PCT):.1f}" class="target"/>'
                 f'<text x="{left + 4}" y="{y(FULL_POINTS_PCT) - 6:.1f}" class="axis start">'
                 f'Mức đạt điểm tối đa Bộ chỉ số 766</text>')
    for series, css in ((rows, "line"), ([last_year.get(r["group"], {}) for r in rows],
                                         "line previous")):
        points = [f"{x(i):.1f},{y(r['on_time_rate_pct']):.1f}" for i, r in enumerate(series)
                  if r.get("on_time_rate_pct") is not None]
        if len(points) > 1:
            parts.append(f'<polyline class="{css}" points="{" ".join(points)}"/>')
    for i, r in enumerate(rows):
        rate = r["on_time_rate_pct"]
        parts.append(f'<text x="{x(i):.1f}" y="{height + 4}" class="axis">'
                     f'{escape(r["group"])}</text>')
        if rate is None:
            continue
        parts.append(f'<a href="{escape(link(r))}"><circle cx="{x(i):.1f}" cy="{y(rate):.1f}" '
                     f'r="5" class="point"><title>{escape(r["group"])}: đúng hạn {_pct(rate)}, '
                     f'{vn_number(r["received"])} hồ sơ tiếp nhận</title></circle></a>'
                     f'<text x="{x(i):.1f}" y="{y(rate) - 9:.1f}" class="rate">{_pct(rate)}</text>')
    parts.append("</svg>")
    legend = ('<p class="legend"><span class="key line"></span> Năm nay '
              '<span class="key previous"></span> Cùng tháng năm trước '
              '<span class="key target"></span> Mức đạt điểm tối đa (100%)</p>')
    table = _table("Số liệu của biểu đồ", ["Tháng", "Tiếp nhận", "Đã giải quyết",
                                            "Tỷ lệ đúng hạn", "Cùng tháng năm trước"],
                   [[r["group"], vn_number(r["received"]), vn_number(r["finished"]),
                     _pct(r["on_time_rate_pct"]),
                     _pct(last_year.get(r["group"], {}).get("on_time_rate_pct"))] for r in rows])
    return Markup("".join(parts) + legend + table)


def _hbars(items: list[tuple[str, float, str, str | None]], aria: str, css: str,
           maximum: float) -> str:
    """Horizontal bars: (label, value, value's text, link or None)."""
    row_h, label_w, width = 26, 260, 640
    bar_w = width - label_w - 90
    parts = [f'<svg class="chart hbars {css}" viewBox="0 0 {width} {row_h * len(items) + 8}" '
             f'role="img" aria-label="{escape(aria)}">']
    for i, (label, value, text, href) in enumerate(items):
        y = 4 + i * row_h
        w = bar_w * (value / maximum) if maximum else 0
        bar = (f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" '
               f'class="bar"><title>{escape(label)}: {escape(text)}</title></rect>')
        if href:
            bar = f'<a href="{escape(href)}">{bar}</a>'
        parts.append(f'<text x="{label_w - 8}" y="{y + row_h / 2 + 3:.1f}" class="axis end">'
                     f'{escape(label[:42])}</text>{bar}'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + row_h / 2 + 3:.1f}" '
                     f'class="axis start">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def ranked(rows: list[dict], link: Callable[[dict], str], limit: int = 15) -> Markup:
    """Units by on-time rate, best first (the numbers: the ranking table below)."""
    if not rows:
        return Markup("")
    shown = rows[:limit]
    note = (f'<p class="muted">{len(shown)} trên {len(rows)} đơn vị; đủ danh sách ở bảng '
            f'xếp hạng dưới.</p>' if len(rows) > limit else "")
    return Markup(_hbars([(r["name"], r["on_time_rate_pct"] or 0, _pct(r["on_time_rate_pct"]),
                           link(r)) for r in shown],
                         "Đơn vị xếp theo tỷ lệ đúng hạn; số liệu ở bảng xếp hạng dưới",
                         "ranked", 100) + note)


def _hours(minutes: int) -> str:
    """Working time as officials say it: 8-hour working days, hours, minutes."""
    days, rest = divmod(minutes, 8 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{vn_number(days)} ngày"] if days else []
    parts += [f"{hours} giờ"] if hours else []
    parts += [f"{mins} phút"] if mins or not parts else []
    return " ".join(parts)


def lateness(rows: list[dict]) -> Markup:
    """Where lateness comes from: overrun working time by step and unit, largest first."""
    if not rows:
        return Markup('<p class="muted">Không có bước nào vượt thời gian được phân bổ '
                      'trong kỳ.</p>')
    svg = _hbars([(f"{r['step']} · {r['unit']}", r["overrun_minutes"],
                   _hours(r["overrun_minutes"]), None) for r in rows],
                 "Thời gian vượt theo bước và đơn vị; số liệu ở bảng dưới", "overrun",
                 max(r["overrun_minutes"] for r in rows))
    table = _table("Số liệu: thời gian vượt theo bước và đơn vị",
                   ["Bước", "Đơn vị", "Số lần vượt", "Thời gian vượt (ngày làm việc 8 giờ)"],
                   [[r["step"], r["unit"], vn_number(r["overruns"]),
                     _hours(r["overrun_minutes"])] for r in rows])
    return Markup(svg + table)


def channels(mix: dict) -> Markup:
    """Dossiers received each month by channel, as stacked bars, with a legend."""
    months, keys = mix["months"], mix["channels"]
    if not months:
        return Markup('<p class="muted">Chưa có hồ sơ trong kỳ.</p>')
    width, height, left = 640, 200, 44
    step = (width - left - 16) / len(months)
    biggest = max(sum(mix["counts"][m].values()) for m in months) or 1
    parts = [f'<svg class="chart channels" viewBox="0 0 {width} {height + 24}" role="img" '
             f'aria-label="Hồ sơ tiếp nhận theo kênh từng tháng; số liệu ở bảng dưới">']
    for i, month in enumerate(months):
        base = height
        x = left + i * step + step * 0.15
        for n, (key, label) in enumerate(keys):
            count = mix["counts"][month].get(key, 0)
            h = (height - 16) * count / biggest
            base -= h
            parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{step * 0.7:.1f}" '
                         f'height="{h:.1f}" class="c{n}"><title>{escape(month)}, '
                         f'{escape(label)}: {vn_number(count)} hồ sơ</title></rect>')
        parts.append(f'<text x="{x + step * 0.35:.1f}" y="{height + 16}" class="axis">'
                     f'{escape(month)}</text>')
    parts.append("</svg>")
    legend = '<p class="legend">' + " ".join(
        f'<span class="key c{n}"></span> {escape(label)}' for n, (_, label) in enumerate(keys)
    ) + "</p>"
    table = _table("Số liệu: hồ sơ tiếp nhận theo kênh", ["Tháng", *(lb for _, lb in keys),
                                                          "Tổng"],
                   [[m, *(vn_number(mix["counts"][m].get(k, 0)) for k, _ in keys),
                     vn_number(sum(mix["counts"][m].values()))] for m in months])
    return Markup("".join(parts) + legend + table)


BANDS = ((95, "b4", "từ 95%"), (85, "b3", "85% đến dưới 95%"), (70, "b2", "70% đến dưới 85%"),
         (0, "b1", "dưới 70%"))


def _band(rate) -> str:
    if rate is None:
        return "b0"
    return next(css for floor, css, _ in BANDS if rate >= floor)


def tiles(units: list[tuple[int, str, str]], rates: dict[int, dict],
          link: Callable[[int], str]) -> Markup:
    """The communes and wards as tiles coloured by on-time rate, in Vietnamese order of
    their names (the numbers: the tiles' titles and the ranking table)."""
    if not units:
        return Markup("")
    size, gap = 76, 4
    rows_n = (len(units) + TILE_COLUMNS - 1) // TILE_COLUMNS
    width = TILE_COLUMNS * (size + gap)
    parts = [f'<svg class="chart tiles" viewBox="0 0 {width} {rows_n * (size + gap)}" '
             f'role="img" aria-label="Xã, phường tô màu theo tỷ lệ đúng hạn">']
    for i, (unit_id, _, name) in enumerate(units):
        x, y = (i % TILE_COLUMNS) * (size + gap), (i // TILE_COLUMNS) * (size + gap)
        rate = rates.get(unit_id, {}).get("on_time_rate_pct")
        short = name.replace("Phường ", "P. ").replace("Xã ", "X. ")
        words, lines = short.split(), [""]
        for word in words:
            if len(lines[-1]) + len(word) > 11 and lines[-1]:
                lines.append("")
            lines[-1] = f"{lines[-1]} {word}".strip()
        text = "".join(f'<tspan x="{x + size / 2:.1f}" dy="{12 if k else 0}">{escape(line)}</tspan>'
                       for k, line in enumerate(lines[:3]))
        parts.append(f'<a href="{escape(link(unit_id))}"><rect x="{x}" y="{y}" width="{size}" '
                     f'height="{size}" rx="4" class="tile {_band(rate)}"><title>{escape(name)}: '
                     f'{_pct(rate) if rate is not None else "chưa có hồ sơ đã giải quyết"}'
                     f'</title></rect><text x="{x + size / 2:.1f}" y="{y + 22}" class="tile-name">'
                     f'{text}</text><text x="{x + size / 2:.1f}" y="{y + size - 10}" '
                     f'class="tile-rate">{_pct(rate)}</text></a>')
    parts.append("</svg>")
    legend = '<p class="legend">' + " ".join(
        f'<span class="key tile {css}"></span> {label}' for _, css, label in BANDS) + \
        ' <span class="key tile b0"></span> chưa có hồ sơ đã giải quyết</p>'
    note = ('<p class="muted">Ô xếp theo tên xã, phường: chưa có bộ dữ liệu ranh giới xã, '
            'phường sau sắp xếp năm 2025 đóng gói sẵn để vẽ bản đồ thật.</p>')
    return Markup("".join(parts) + legend + note)
