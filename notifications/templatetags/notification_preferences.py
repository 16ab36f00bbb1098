"""``{% notification_preferences %}``: the account page's choice of channels per kind of message."""

from django import template

from common import solapi
from notifications import preferences, quiet_hours

register = template.Library()


@register.inclusion_tag("notifications/_preferences.html", takes_context=True)
def notification_preferences(context):
    user = context["request"].user
    hours = quiet_hours.window()
    return {
        "choices": preferences.choices(user),
        "kakao": preferences.can_reach_by_kakao(user),
        "messaging_on": solapi.is_configured(),
        "quiet_start": hours[0].strftime("%H:%M") if hours else "",
        "quiet_end": hours[1].strftime("%H:%M") if hours else "",
        "csrf_token": context.get("csrf_token"),
    }
