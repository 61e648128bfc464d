"""Attachments (vedlegg): checked by extension and content, never more public than their item."""

import hashlib
import io
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import formats
from django.utils.translation import gettext as _

from samhandling.core.models import User
from samhandling.core.permissions import require

from ..models import (
    AgendaItem,
    Attachment,
    Visibility,
)
from .common import _VISIBILITY_ORDER, _check_editable, _record, _require_text

ALLOWED_ATTACHMENTS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}


def _sniff(extension: str, head: bytes, content: bytes) -> bool:
    """Does the content really look like the file type its name says?"""
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension in ("docx", "xlsx") and head.startswith(b"PK\x03\x04"):
        names = _office_parts(extension, content)
        main = "word/document.xml" if extension == "docx" else "xl/workbook.xml"
        return "[Content_Types].xml" in names and main in names
    return False


# A Word or Excel file is a zip: its directory says how many parts it has and how large they unpack; a "zip bomb"
# named .docx declares gigabytes in a few kilobytes. Real case papers stay far below these.
MAX_OFFICE_PARTS = 2000
MAX_OFFICE_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_OFFICE_RATIO = 200  # unpacked / packed, per part of more than a megabyte


def _office_parts(extension: str, content: bytes) -> set[str]:
    """The part names of a DOCX/XLSX, read from the zip directory only (nothing is unpacked); a ValidationError when
    the directory promises more than a real document holds."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return set()
    unpacked = sum(info.file_size for info in infos)
    swollen = any(
        info.file_size > 1024 * 1024 and info.file_size > MAX_OFFICE_RATIO * max(info.compress_size, 1)
        for info in infos
    )
    if len(infos) > MAX_OFFICE_PARTS or unpacked > MAX_OFFICE_UNPACKED_BYTES or swollen:
        raise ValidationError(
            {
                "file": _("The .%(extension)s file unpacks to far more than a document holds and is refused.")
                % {"extension": extension}
            }
        )
    return {info.filename for info in infos}


def check_attachment(name: str, content: bytes) -> str:
    """The content type of an acceptable attachment, or a ValidationError on "file" saying what is wrong."""
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    if extension not in ALLOWED_ATTACHMENTS:
        raise ValidationError({"file": _("Attach a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG file.")})
    limit = settings.GOVERNANCE_MAX_ATTACHMENT_BYTES
    if len(content) > limit:
        raise ValidationError(
            {
                "file": _("The file is larger than %(size)s MB.")
                % {"size": formats.number_format(limit / 1024 / 1024, 0)}
            }
        )
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if not _sniff(extension, content[:16], content):
        raise ValidationError(
            {"file": _("The file's content does not match its name (.%(extension)s).") % {"extension": extension}}
        )
    return ALLOWED_ATTACHMENTS[extension]


def _store_attachment(*, item: AgendaItem, name: str, content: bytes, title: str, visibility: str, actor: User):
    content_type = check_attachment(name, content)
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who may read the attachment.")})
    # Never more public than the item it belongs to.
    if _VISIBILITY_ORDER.index(visibility) < _VISIBILITY_ORDER.index(item.visibility):
        visibility = item.visibility
    original = PurePath(name).name[:255]
    order = (item.attachments.aggregate(last=Max("order"))["last"] or 0) + 1
    return Attachment.objects.create(
        item=item,
        title=(title or "").strip() or PurePath(original).stem,
        file=ContentFile(content, name=original),
        original_name=original,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        visibility=visibility,
        order=order,
        uploaded_by=actor,
    )


@transaction.atomic
def attachment_add(
    *, actor: User, item: AgendaItem, upload, title: str = "", visibility: str | None = None
) -> Attachment:
    require(actor, "governance.manage_item", item)
    _check_editable(item)
    limit = settings.GOVERNANCE_MAX_ATTACHMENT_BYTES
    if upload.size is not None and upload.size > limit:
        # Refuse before reading a huge upload into memory.
        check_attachment(upload.name, b"\0" * (limit + 1))
    upload.seek(0)
    content = upload.read()
    attachment = _store_attachment(
        item=item,
        name=upload.name,
        content=content,
        title=title,
        visibility=visibility or item.visibility,
        actor=actor,
    )
    _record(
        actor=actor,
        action="governance.attachment.added",
        target=attachment,
        body=item.body,
        data={"item": item.number or item.pk, "size": attachment.size, "type": attachment.content_type},
    )
    return attachment


@transaction.atomic
def attachment_update(
    *, actor: User, attachment: Attachment, title: str | None = None, visibility: str | None = None
) -> Attachment:
    item = attachment.item
    require(actor, "governance.manage_item", item)
    _check_editable(item)
    if title is not None:
        attachment.title = _require_text(title, "title", _("Give the attachment a title."))
    if visibility is not None:
        if visibility not in Visibility.values:
            raise ValidationError({"visibility": _("Choose who may read the attachment.")})
        if _VISIBILITY_ORDER.index(visibility) < _VISIBILITY_ORDER.index(item.visibility):
            raise ValidationError({"visibility": _("An attachment cannot be more public than its item.")})
        attachment.visibility = visibility
    attachment.save()
    _record(actor=actor, action="governance.attachment.updated", target=attachment, body=item.body)
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    item = attachment.item
    require(actor, "governance.manage_item", item)
    _check_editable(item)
    _record(
        actor=actor,
        action="governance.attachment.removed",
        target=attachment,
        body=item.body,
        data={"title": attachment.title},
    )
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    # Published documents keep only the list of attachments, so the file can go once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(name))
