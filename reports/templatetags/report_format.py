"""How the reports page writes its figures: shares as percentages with one decimal, hours with at most one."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

NOTHING = "–"


@register.filter
def percent(share: float | None) -> str:
    """0.4321 → "43.2%" (the decimal mark of the reader's language); "–" when there is nothing to divide."""
    if share is None:
        return NOTHING
    return f"{floatformat(share * 100, '1g')}%"


@register.filter
def hours(value: float | None) -> str:
    """Hours with thousands separators and one decimal when there is one: 1,234.5 or 12."""
    if value is None:
        return NOTHING
    return floatformat(value, "-1g")


@register.filter
def days(value: float | None) -> str:
    return NOTHING if value is None else floatformat(value, "1g")
