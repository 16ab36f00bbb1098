"""``{% load payments %}{% pay_box booking %}``: the booking page's online payment, from outside bookings."""

from django import template

from payments import selectors

register = template.Library()


@register.inclusion_tag("payments/_pay_box.html", takes_context=True)
def pay_box(context, booking):
    request = context.get("request")
    user = getattr(request, "user", None)
    box = selectors.pay_box(booking, user) if user is not None else selectors.PayBox()
    return {"booking": booking, "box": box}
