"""`report.html`: the answer and an interactive map per instance, in one file (issue 33).

    python experiments/report_html.py OUTDIR

From the results store alone: per instance the answer (`experiments.answer`), the
design table and a plotly map of the road network, the regions, the centers (opened
ones filled), depots and hub candidates, on which a menu switches between the views
`experiments.map_data` stored (each policy and solver, and the best design), a route's
km, parcels, load rate and cost on hover. plotly.js is written into the file, so it
opens without a network: no script or style comes from elsewhere, no map tiles.
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "experiments":
    sys.path[0] = str(ROOT)  # run as a script: the checkout's packages, not this folder's modules

import pandas as pd  # noqa: E402

from experiments.answer import Answer, answers, box_rows, design_sentence, items  # noqa: E402
from experiments.design_summary import best_designs  # noqa: E402
from experiments.maps import palette  # noqa: E402
from experiments.output import write_atomic  # noqa: E402
from experiments.store import Store, folder_main  # noqa: E402

HTML_NAME = "report.html"
#: Records script errors where a test (or a reader) can see them: the page's `data-errors`.
ERRORS = (
    "window.addEventListener('error', function (e) {"
    " document.documentElement.setAttribute('data-errors',"
    " (document.documentElement.getAttribute('data-errors') || '') + e.message + ';'); });"
)
#: After each map is drawn, how many route traces it holds, on the page's element.
COUNT = (
    "document.documentElement.setAttribute('data-routes-{plot_id}',"
    " document.getElementById('{plot_id}').data.filter(function (t) {{ return t.meta === 'route'; }}).length);"
)
STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border-bottom:1px solid #ccc;padding:2px 8px;"
    "text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
)


def _answer_html(answer: Answer) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{s.independent:,.2f}</td><td>{s.joint:,.2f}</td>"
        f"<td>{s.percent:+.1f}%</td></tr>"
        for label, s in box_rows(answer)
    )
    listed = "".join(f"<li>{html.escape(item)}</li>" for item in items(answer))
    return (
        f"<h2>{html.escape(answer.instance)}: {html.escape(answer.headline())}</h2>"
        f"<p>{html.escape(design_sentence(answer))}</p>"
        f"<table><tr><th></th><th>independent</th><th>joint</th><th>saving</th></tr>{rows}</table><ul>{listed}</ul>"
    )


def map_figure(locations: pd.DataFrame, network: pd.DataFrame, views: pd.DataFrame, opened: set[str]):
    """The plotly map of one instance (module docstring); routes have `meta` 'route'."""
    import plotly.graph_objects as go

    xy = {row["id"]: (float(row["x"]), float(row["y"])) for _, row in locations.iterrows()}
    fig = go.Figure()
    static = 0
    if not network.empty:
        xs, ys = [], []
        for _, seg in network.iterrows():
            xs += [seg["x0"], seg["x1"], None]
            ys += [seg["y0"], seg["y1"], None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": "#ccc", "width": 1}, name="roads",
                                 hoverinfo="skip"))  # fmt: skip
        static += 1
    nodes = locations[locations["kind"] == "node"].fillna({"region": ""})
    regions = sorted(set(nodes["region"]))
    for region, (colour, _) in zip(regions, palette(len(regions)), strict=True):
        part = nodes[nodes["region"] == region]
        rgb = "rgb({:.0f},{:.0f},{:.0f})".format(*(255 * c for c in colour[:3]))
        fig.add_trace(go.Scatter(x=part["x"], y=part["y"], mode="markers", marker={"color": rgb, "size": 7},
                                 name=f"region {region}" if region else "no region", text=part["id"],
                                 hovertemplate="%{text}<extra>" + html.escape(str(region)) + "</extra>"))  # fmt: skip
        static += 1
    for kind, symbol, name in (
        ("center", "square", "center"),
        ("depot", "triangle-up", "depot"),
        ("hub", "star", "hub"),
    ):
        part = locations[locations["kind"] == kind]
        if part.empty:
            continue
        filled = part["id"].isin(opened) if kind == "center" else pd.Series(True, index=part.index)
        for is_open, group in part.groupby(filled):
            label = name if kind != "center" else ("opened center" if is_open else "candidate center")
            fig.add_trace(go.Scatter(x=group["x"], y=group["y"], mode="markers", text=group["id"], name=label,
                                     marker={"symbol": symbol if is_open else f"{symbol}-open", "size": 11,
                                             "color": "black" if kind == "center" else "firebrick"},
                                     hovertemplate="%{text}<extra>" + label + "</extra>"))  # fmt: skip
            static += 1
    names = list(dict.fromkeys(views["view"]))
    owner = []
    for view in names:
        mine = views[views["view"] == view]
        for _, row in mine.iterrows():
            path = [xy[p] for p in json.loads(row["path"]) if p in xy]
            if row["kind"] == "route":
                text = (
                    f"{row['owner']} from {row['center']}: {row['km']:.2f} km, {row['delivered']:g} parcels out, "
                    f"{row['collected']:g} back, load {100 * row['load_rate']:.0f}%, {row['cost']:.2f} CNY"
                )
                line = {"width": 2}
            else:
                text = f"{row['kind']} of {row['owner']}"
                line = {"width": 1.5, "dash": "dash" if row["kind"] == "line-haul" else "dot", "color": "firebrick"}
            fig.add_trace(go.Scatter(x=[p[0] for p in path], y=[p[1] for p in path], mode="lines", line=line,
                                     name=f"{row['kind']} {row['owner']}", hovertext=text, hoverinfo="text",
                                     meta=row["kind"] if row["kind"] != "route" else "route",
                                     visible=view == names[0], showlegend=False))  # fmt: skip
            owner.append(view)
    buttons = [
        {
            "label": view,
            "method": "update",
            "args": [{"visible": [True] * static + [v == view for v in owner]}],
        }
        for view in names
    ]
    fig.update_layout(
        updatemenus=[{"buttons": buttons, "x": 0, "y": 1.12, "xanchor": "left", "direction": "down"}],
        height=700,
        margin={"t": 80},
        xaxis={"title": "longitude (°)", "scaleanchor": "y"},
        yaxis={"title": "latitude (°)"},
        legend={"font": {"size": 9}},
    )
    return fig


def write_html(folder: Path) -> list[Path]:
    """`report.html` in `folder` (module docstring)."""
    import plotly.offline

    store = Store(folder)
    try:
        found = answers(store)
        locations, network, views = store.table("locations"), store.table("network"), store.table("map_routes")
        plans, designs = store.table("map"), store.table("designs")
    finally:
        store.close()
    body = ["<h1>Does joint delivery pay?</h1>"]
    for answer in found:
        body.append(_answer_html(answer))
        table = best_designs(designs[designs["instance"] == answer.instance])
        body.append("<h3>The alliance's designs</h3>" + table.to_html(index=False, float_format="{:,.2f}".format))
        mine = views[views["instance"] == answer.instance] if not views.empty else views
        if mine.empty:
            continue
        sites = locations[locations["instance"] == answer.instance]
        roads = network[network["instance"] == answer.instance] if not network.empty else network
        plan = plans[plans["instance"] == answer.instance] if not plans.empty else plans
        opened = set(plan.loc[plan["kind"] == "opened", "id"]) if not plan.empty else set()
        figure = map_figure(sites, roads, mine, opened)
        body.append("<h3>Map (choose a policy, a design and a solver in the menu)</h3>")
        body.append(figure.to_html(full_html=False, include_plotlyjs=False, post_script=COUNT))
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Does joint delivery pay?</title>"
        f"<style>{STYLE}</style><script>{ERRORS}</script>"
        f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>{''.join(body)}</body></html>\n"
    )
    path = folder / HTML_NAME
    write_atomic(path, page)
    return [path]


def main(argv: list[str] | None = None) -> int:
    return folder_main(argv, __doc__.strip().split("\n\n")[1], write_html)


if __name__ == "__main__":
    sys.exit(main())
