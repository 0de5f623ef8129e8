"""Typeset a board report to PDF with Typst (the `typst` wheel ships its compiler and fonts).

The template reads the report's data from `sys.inputs` as JSON, so nothing a user typed is
ever parsed as Typst markup; SVG charts are embedded as vector images.
"""

from __future__ import annotations

import io
import json
from typing import Any

import typst
from pypdf import PdfReader

TEMPLATE = r"""
#let d = json(bytes(sys.inputs.at("data")))
#set document(title: d.kind + ": " + d.title)
#set page(paper: "a4", margin: (x: 1.8cm, y: 1.6cm),
  footer: context [#d.title · #d.period #h(1fr) page #counter(page).display()])
#set text(size: 9.5pt)
#let section(name) = block(above: 1.2em, below: 0.6em, text(size: 12pt, weight: "bold", name))
#let grid-table(head, rows) = if rows.len() == 0 [_None._] else {
  table(columns: head.len(), inset: 5pt, stroke: 0.4pt + luma(180),
    fill: (_, y) => if y == 0 { luma(235) },
    ..head.map(h => text(weight: "bold", h)), ..rows.flatten())
}

#text(size: 18pt, weight: "bold", d.kind) \
#text(size: 14pt, d.title) \
Period #d.period · generated #d.generated · figures computed #d.computed

#block(inset: 8pt, fill: luma(245), radius: 3pt, width: 100%)[
  #text(size: 14pt, weight: "bold", d.score) #h(1em) #d.direction \
  #if d.month_change != "" [Change over 30 days: #d.month_change]
]
#if d.chart != "" { image(bytes(d.chart), format: "svg", width: 100%) }

#section("Summary")
#grid-table(("Figure", "Value"), d.summary)

#if d.kind == "Tenant board report" [
  #section("Top risks and why")
  #grid-table(("Risk", "Score", "Main contributors (points added)"), d.top_risks)
  #section("Business outcomes")
  #grid-table(("Outcome", "Score"), d.outcomes)
  #section("KRIs out of appetite")
  #grid-table(("KRI", "Status", "Value", "Thresholds"), d.out_of_appetite)
  #section("Stale feeds")
  #grid-table(("Source", "Stale KRIs", "Last run"), d.stale_feeds)
  #section("Changes since last month")
  #grid-table(("Figure", "30 days ago", "Now"), d.changes)
] else [
  #section("Tenants")
  #grid-table(("Tenant", "Score", "30-day change", "Critical / high", "Computed"),
    d.tenants.map(t => t.row))
  #section("Trend per tenant")
  #for t in d.tenants { block(breakable: false, image(bytes(t.chart), format: "svg", width: 80%)) }
]
"""


def render_pdf(data: dict[str, Any]) -> tuple[bytes, int]:
    """The report's PDF and its page count."""
    pdf = typst.compile(TEMPLATE.encode(), sys_inputs={"data": json.dumps(data)})
    assert isinstance(pdf, bytes)
    return pdf, len(PdfReader(io.BytesIO(pdf)).pages)
