"""Request parsers of the API.

Kept apart from dongnam.api: DRF resolves DEFAULT_PARSER_CLASSES while importing its views, which
dongnam.api imports, so the parser must live in a module that does not import DRF's views.

Every parser refuses, as a 400 and not a 500, what the database cannot take: NUL characters (PostgreSQL
cannot store or compare them) and lone UTF-16 surrogates (which a JSON ``\\ud800`` escape produces and
which cannot be encoded to UTF-8). The JSON parser also refuses nesting deeper than any real request.
"""

import json
import re

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.parsers import DataAndFiles
from rest_framework.utils.json import strict_constant

from common.middleware import UNSTORABLE_CHARACTERS

# No request of this API nests more than a few levels; json.loads itself fails with a RecursionError (a 500)
# somewhere past a thousand, and our own walks over the parsed data recurse too.
MAX_JSON_DEPTH = 64

# A JSON string literal: a quote, then anything but a quote or backslash, or a backslash and any character.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def has_unstorable_text(value) -> bool:
    """Whether a parsed value holds a NUL or a lone surrogate in any string, key or item (walked without recursion)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE_CHARACTERS.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether JSON text nests arrays and objects deeper than ``limit``, counted without parsing it."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _refuse_unstorable(data) -> None:
    if has_unstorable_text(data):
        raise exceptions.ParseError(_("Text may not contain NUL characters or lone surrogates."))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a nesting limit, refusing NUL characters and lone surrogates."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = (stream.read() if stream is not None else b"").decode(encoding)
        except ValueError as error:
            raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
        if json_depth_exceeds(text, MAX_JSON_DEPTH):
            raise exceptions.ParseError(
                _("JSON may not nest deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
            )
        try:
            data = json.loads(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as error:
            raise exceptions.ParseError(_("The body is not valid JSON: %(error)s") % {"error": error}) from None
        except RecursionError:
            # Unreachable past the depth check; kept so no input can ever turn into a server error.
            raise exceptions.ParseError(
                _("JSON may not nest deeper than %(depth)d levels.") % {"depth": MAX_JSON_DEPTH}
            ) from None
        _refuse_unstorable(data)
        return data


class FormParser(parsers.FormParser):
    """DRF's urlencoded form parser, refusing NUL characters in names and values."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_unstorable(list(data.lists()))
        return data


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing NUL characters in field names, values and file names."""

    def parse(self, stream, media_type=None, parser_context=None):
        result: DataAndFiles = super().parse(stream, media_type, parser_context)
        _refuse_unstorable(list(result.data.lists()))
        _refuse_unstorable([[name, [upload.name for upload in uploads]] for name, uploads in result.files.lists()])
        return result
