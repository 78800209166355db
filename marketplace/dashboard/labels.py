"""Address labels as PDF: one label per order (A6-sized, four to an A4 page), Cyrillic-safe.

Uses fpdf2 with the DejaVu Sans fonts shipped in static/fonts (PDF core fonts cover Latin-1
only, so Russian addresses need an embedded TrueType font).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from fpdf import FPDF

from marketplace.models import Order

FONT_FILES = {"": "fonts/DejaVuSans.ttf", "B": "fonts/DejaVuSans-Bold.ttf"}
# fontTools logs every font subset at INFO; that is noise in the web process's log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

#: Label size in millimetres (A6) and their grid on an A4 page.
LABEL_W, LABEL_H, PER_ROW, PER_PAGE = 105.0, 148.5, 2, 4


@dataclass(frozen=True)
class Label:
    """What one label shows, already as text."""

    number: str
    storefront: str
    company: str
    buyer: str
    address: str
    phone: str
    shipping_method: str
    lines: int
    items: int


def order_label(order: Order) -> Label:
    """The label data of an order (lines the warehouse marked unavailable are not counted)."""
    lines = [line for line in order.lines.all() if line.is_available is not False]
    profile = getattr(order.buyer, "buyer_profile", None)
    phone = profile.phone if profile is not None else ""
    return Label(
        number=order.number,
        storefront=order.storefront.name,
        company=order.company.name,
        buyer=order.buyer.get_full_name() or order.buyer.email or order.buyer.get_username(),
        address=order.delivery_address,
        phone=phone.as_international if phone else "",
        shipping_method=order.shipping_method.name,
        lines=len(lines),
        items=sum(line.quantity for line in lines),
    )


def order_labels_pdf(order: Order) -> bytes:
    """The address-label PDF of one order: the dashboard's download and the signed link in the
    assembly message both serve this. `order` should come with its lines, buyer profile,
    storefront, company and shipping method loaded."""
    title = _("Shipping label, order %(number)s") % {"number": order.number}
    return labels_pdf([order_label(order)], title=title)


def labels_pdf(labels: Sequence[Label], *, title: str) -> bytes:
    """A PDF with one label per entry of `labels`; `title` goes into the document info."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_title(title)
    pdf.set_creator("Sendsay marketplace vendor dashboard")
    for style, name in FONT_FILES.items():
        pdf.add_font("DejaVu", style=style, fname=_font_path(name))
    for index, label in enumerate(labels):
        if index % PER_PAGE == 0:
            pdf.add_page()
        slot = index % PER_PAGE
        _draw(pdf, label, x=(slot % PER_ROW) * LABEL_W, y=(slot // PER_ROW) * LABEL_H)
    return bytes(pdf.output())


def _font_path(name: str) -> Path:
    found = finders.find(name) or (Path(settings.BASE_DIR) / "static" / name)
    if not Path(found).is_file():
        raise ImproperlyConfigured(f"The label font {name} is missing from the static files.")
    return Path(found)


def _draw(pdf: FPDF, label: Label, *, x: float, y: float) -> None:
    margin, width = 7.0, LABEL_W - 14.0
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.3)
    pdf.rect(x + 3, y + 3, LABEL_W - 6, LABEL_H - 6)
    pdf.set_xy(x + margin, y + margin)
    _text(pdf, f"{label.storefront} · {label.company}", size=9, width=width)
    pdf.set_x(x + margin)
    _text(pdf, _("Order No. %(number)s") % {"number": label.number}, size=18, width=width,
          style="B")
    pdf.code39(f"*{label.number}*", x=x + margin, y=pdf.get_y() + 1, w=0.8, h=12)
    pdf.set_xy(x + margin, pdf.get_y() + 16)
    rows = [
        (_("Recipient"), label.buyer),
        (_("Delivery address"), label.address or "—"),
        (_("Phone"), label.phone or "—"),
        (_("Shipping method"), label.shipping_method),
        (_("Contents"), _("%(lines)s lines, %(items)s items")
         % {"lines": label.lines, "items": label.items}),
    ]
    for caption, value in rows:
        pdf.set_x(x + margin)
        _text(pdf, caption, size=8, width=width)
        pdf.set_x(x + margin)
        _text(pdf, value, size=11, width=width, style="B" if caption == rows[0][0] else "")
        pdf.set_y(pdf.get_y() + 1.5)


def _text(pdf: FPDF, text: str, *, size: float, width: float, style: str = "") -> None:
    pdf.set_font("DejaVu", style=style, size=size)
    pdf.multi_cell(width, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
