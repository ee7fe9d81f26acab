"""Evidence files: checked by their content, stored on disk under generated names.

The checks, in the order a person would want to hear about them: size, type (from the bytes —
a renamed .exe is refused whatever its name says), whether the name agrees with the content,
whether the file opens, and whether any text-bearing part of it carries an IIN (what is read,
per format: tracker.core.personal_data). A file whose words cannot be read — protected by a
password, of a format older than Word/Excel 97, a PDF too long or with a page whose text cannot
be extracted — is refused: it cannot be checked, and nothing unchecked is stored.
"""

import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePath

import filetype
from flask_babel import gettext as _

from tracker.core.formatting import translated_message
from tracker.core.personal_data import (
    MAX_PDF_PAGES,
    OldFormat,
    PasswordProtected,
    TooManyPages,
    UnpacksTooLarge,
    UnreadablePage,
    document_text,
    encrypted_office_package,
    find_iins,
    masked,
)
from tracker.core.sizes import MAX_UNPACKED_BYTES, human_size

#: the evidence kinds a report may carry: kind → (MIME type, extensions its name may have)
ALLOWED = {
    "pdf": ("application/pdf", {"pdf"}),
    "doc": ("application/msword", {"doc"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {"docx"}),
    "xls": ("application/vnd.ms-excel", {"xls"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {"xlsx"}),
    "jpg": ("image/jpeg", {"jpg", "jpeg"}),
    "png": ("image/png", {"png"}),
}
_ANY_OLE = bytes.fromhex("D0CF11E0A1B11AE1")  # the container of old .doc and .xls files


class EvidenceError(ValueError):
    """A file that cannot be evidence; the message names the file and the problem."""


@dataclass
class StoredFile:
    original_name: str
    stored_name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    path: Path


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def clean_file_name(name: str | None) -> str:
    """The name a person gave the file, safe to store, show and send back: no folders (a
    Windows path's backslashes too), no control or bidirectional-override characters (which can
    disguise "gpj.exe" as "exe.jpg"), no leading dots, at most 255 characters. Kazakh and
    Russian letters stay: the file keeps the name its sender recognises."""
    name = _CONTROL.sub("", name or "")
    name = re.split(r"[\\/]", name)[-1].strip().lstrip(".").strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: 254 - len(extension)] + dot + extension) if dot and len(extension) <= 10 else name[:255]
    return name


def sniff(data: bytes) -> str | None:
    """The evidence kind the bytes are, or None."""
    guess = filetype.guess(data)
    if guess is not None and guess.extension in ALLOWED:
        return guess.extension
    if guess is not None and guess.extension == "jpeg":
        return "jpg"
    if data.startswith(_ANY_OLE):  # filetype knows only some Word/Excel 97 layouts; look at the stream names
        head = data[:1_000_000]
        if "WordDocument".encode("utf-16-le") in head:
            return "doc"
        if "Workbook".encode("utf-16-le") in head or "Book".encode("utf-16-le") in head:
            return "xls"
    return None


def check(name: str, data: bytes, max_bytes: int) -> str:
    """Return the file's kind, or raise EvidenceError saying what is wrong with it."""
    shown = clean_file_name(name) or _("(no name)")
    if not data:
        raise EvidenceError(_("«%(name)s» is empty.", name=shown))
    if len(data) > max_bytes:
        raise EvidenceError(_("«%(name)s» is %(size)s; the limit is %(limit)s.",
                              name=shown, size=translated_message(human_size(len(data))),
                              limit=translated_message(human_size(max_bytes))))
    kind = sniff(data)
    if kind is None and encrypted_office_package(data):
        raise EvidenceError(_password_protected(shown))
    if kind is None:
        raise EvidenceError(_("«%(name)s» is not a PDF, Word, Excel, JPEG or PNG file (judged by its content, "
                              "not its name).", name=shown))
    extension = PurePath(shown).suffix.lower().lstrip(".")
    if extension not in ALLOWED[kind][1]:
        raise EvidenceError(_("«%(name)s» is named .%(ext)s but its content is %(kind)s; rename it or attach "
                              "the right file.", name=shown, ext=extension or "—", kind=kind.upper()))
    try:
        text = document_text(data, kind)
    except UnpacksTooLarge:
        raise EvidenceError(_("«%(name)s» would unpack to more than %(limit)s; it is refused without being opened.",
                              name=shown, limit=translated_message(human_size(MAX_UNPACKED_BYTES)))) from None
    except PasswordProtected:
        raise EvidenceError(_password_protected(shown)) from None
    except OldFormat as old:
        raise EvidenceError(_("«%(name)s» is an old %(format)s file whose text cannot be checked for IINs; save it "
                              "as .docx, .xlsx or PDF and attach that.", name=shown, format=old.args[0])) from None
    except TooManyPages as long:
        raise EvidenceError(_("«%(name)s» has %(pages)s pages; evidence is checked for IINs up to %(limit)s pages. "
                              "Attach the pages that show the work.", name=shown, pages=long.args[0],
                              limit=MAX_PDF_PAGES)) from None
    except UnreadablePage as page:
        raise EvidenceError(_("«%(name)s»: the text of page %(page)s cannot be read, so the file cannot be checked "
                              "for IINs. Save it again as PDF and attach that.", name=shown, page=page.args[0])) from None
    if text is None:
        raise EvidenceError(_("«%(name)s» looks like %(kind)s but cannot be opened; it may be damaged.",
                              name=shown, kind=kind.upper()))
    found = find_iins(text) + find_iins(shown)
    if found:
        raise EvidenceError(_("«%(name)s» contains an IIN (%(iin)s). Evidence must not carry personal "
                              "identification numbers; remove them and attach the file again.",
                              name=shown, iin=masked(found[0])))
    return kind


def _password_protected(shown: str) -> str:
    return _("«%(name)s» is protected by a password, so its text cannot be checked for IINs. Save a copy "
             "without the password and attach that.", name=shown)


def store(name: str, data: bytes, kind: str, folder: Path) -> StoredFile:
    """Write the bytes under a generated name (written to a temporary file, then renamed, so a
    crash never leaves half a file under a name the database knows)."""
    from tracker.core.clock import today

    relative = f"{today().year}/{uuid.uuid4().hex}.{kind}"
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return StoredFile(
        original_name=clean_file_name(name) or f"file.{kind}",
        stored_name=relative,
        kind=kind,
        content_type=ALLOWED[kind][0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        path=path,
    )


def path_of(stored_name: str, folder: Path) -> Path:
    """The file on disk; refuses any name that would lead outside the evidence folder."""
    path = (folder / stored_name).resolve()
    if folder.resolve() not in path.parents:
        raise EvidenceError(stored_name)
    return path


def send_stored(item):
    """The download of a stored file (a report's evidence, a delegation's file, an actual's
    evidence: anything with stored_name, content_type and original_name): always an attachment,
    never cached, 404 when the name leads outside the folder or the file is gone."""
    from flask import abort, current_app, send_file

    try:
        path = path_of(item.stored_name, Path(current_app.config["EVIDENCE_DIR"]))
    except EvidenceError:
        abort(404)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name,
                     max_age=0)
