"""Request parsers of the API.

Kept apart from dongnam.api: DRF resolves DEFAULT_PARSER_CLASSES while importing its views, which
dongnam.api imports, so the parser must live in a module that does not import DRF's views.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers


def contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser refusing NUL characters, which PostgreSQL cannot store or compare (a 400, not a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise exceptions.ParseError(_("Text may not contain NUL characters."))
        return data
