import html
import re

from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEntry

INVITATION_LINK = re.compile(r"http://testserver(/invitations/[^/\s]+/)")


def page_text(response) -> str:
    """What a reader sees: the page without tags, entities decoded, whitespace collapsed."""
    content = response.content.decode()
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", content, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", content))
    return " ".join(text.split())


def invitation_path(message) -> str:
    """The path of the accept link in an invitation mail."""
    match = INVITATION_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def actions_on(target) -> list[str]:
    return list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=target.pk
        ).values_list("action", flat=True)
    )
