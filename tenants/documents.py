"""Checks on documents attached to a renewal request: PDF, JPEG or PNG, by content, within a size limit."""

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from tenants.errors import TenancyError

ALLOWED = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}


def validate_document(upload) -> str:
    """Return the content type of an uploaded file, or raise TenancyError saying what is wrong.

    The type is read from the file's first bytes, not from its name or the browser's claim; the name's
    extension must agree with it, and images must decode.
    """
    limit = settings.RENEWAL_DOCUMENT_MAX_BYTES
    if upload.size > limit:
        raise TenancyError(
            "file_too_large",
            _("%(name)s is larger than %(limit)s.") % {"name": upload.name, "limit": filesizeformat(limit)},
            field="documents",
        )
    if upload.size == 0:
        raise TenancyError("bad_file", _("%(name)s is empty.") % {"name": upload.name}, field="documents")
    upload.seek(0)
    head = upload.read(261)
    upload.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    extension = "." + upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if content_type not in ALLOWED or extension not in ALLOWED[content_type]:
        raise TenancyError(
            "bad_file",
            _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": upload.name},
            field="documents",
        )
    if content_type.startswith("image/"):
        try:
            with Image.open(upload) as image:
                image.verify()
        except Exception:  # Pillow raises many kinds of errors for a broken image
            raise TenancyError(
                "bad_file", _("%(name)s is not a readable image.") % {"name": upload.name}, field="documents"
            ) from None
        finally:
            upload.seek(0)
    return content_type
