"""The papers as PDF: an HTML template laid out by WeasyPrint with a print stylesheet.

Why WeasyPrint rather than ReportLab: the Korean text needs a CJK font, and the one Debian ships is Noto CJK
(fonts-noto-cjk), an OpenType font with CFF outlines in a collection (.ttc). ReportLab embeds TrueType
(glyf) fonts only and cannot embed the CFF-based Noto CJK fonts, so it would need another font shipped with
the project, and its layout is written in Python. WeasyPrint lays out ordinary Django templates and CSS
(tables, page size, line breaking of Korean) through the system's Pango and fontconfig, finds the installed
fonts by name, and embeds only the subset of glyphs a paper uses. It needs Pango (libpango-1.0-0,
libpangoft2-1.0-0) and the fonts, which ``bin/ensure_pdf_libs`` installs from ``make setup`` and ``make test``.

WeasyPrint is imported when a paper is rendered, not when the site starts: a machine without Pango serves
every page but the PDFs.
"""

import base64
import logging

import qrcode
import qrcode.image.svg
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STYLESHEET = "css/papers.css"

# WeasyPrint logs every step of every paper at INFO; its warnings (a missing font, a bad rule) still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def qr_code_data_uri(url: str) -> str:
    """The URL as a QR code, an SVG image in a data: URI (sharp at any print size)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode("ascii")


def render_pdf(template_name: str, context: dict) -> bytes:
    """The template rendered in the active language, as a PDF.

    The papers fetch nothing: their only image is the QR code, inline as a data: URI, and the stylesheet is read
    from the static files. A fetcher that allows data: URIs alone keeps a booker's text (already escaped by the
    template) from ever making the server fetch a file or an address.
    """
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    html = render_to_string(template_name, context)
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}))
    return document.write_pdf(stylesheets=[CSS(filename=finders.find(STYLESHEET))])
