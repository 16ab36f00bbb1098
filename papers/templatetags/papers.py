"""``{% booking_papers booking %}``: the booking page's download links of its papers (no query)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from papers import eligibility
from papers.models import IssuedPaper

register = template.Library()

_LINKS = {
    IssuedPaper.Kind.PERMIT: ("papers:permit", lambda: _("Usage permit (PDF)")),
    IssuedPaper.Kind.PAYMENT_RECEIPT: ("papers:payment_receipt", lambda: _("Receipt (PDF)")),
    IssuedPaper.Kind.REFUND_RECEIPT: ("papers:refund_receipt", lambda: _("Refund receipt (PDF)")),
}


@register.inclusion_tag("papers/_booking_papers.html")
def booking_papers(booking):
    """The papers the booking has now; the page is shown only to those who may download them."""
    links = []
    for kind in eligibility.available_kinds(booking):
        url_name, label = _LINKS[kind]
        links.append({"url": reverse(url_name, args=[booking.pk]), "label": label(), "kind": kind})
    return {"links": links}
