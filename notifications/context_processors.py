from notifications.services import unread_count


def bell(request):
    """The unread count of the bell in the header: one query for signed-in users."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
