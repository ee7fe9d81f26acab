"""How big a file may be, and how a person reads a size.

The limits are written once here: the plan importer and the evidence check both refuse a Word
or Excel file that would unpack to more than MAX_UNPACKED_BYTES (a zip bomb: a few kilobytes
that inflate to gigabytes would otherwise exhaust the server's memory). Pure Python, so the
import engine can use it without Flask.
"""

import io
import zipfile

from tracker.core.messages import Message, msg

#: the largest plan file the engine reads when its caller sets no limit (the portal's setting is
#: MAX_PLAN_BYTES, tracker.config)
DEFAULT_MAX_PLAN_BYTES = 20 * 1024 * 1024
#: a .docx/.xlsx that unpacks to more than this is refused before it is unpacked
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def human_size(size: int) -> Message:
    """20 MB, 512 KB, 37 bytes: as a person reads a size limit (translated where it is shown)."""
    if size >= 1024 * 1024:
        return msg("%(n)s MB", n=f"{size / 1024 / 1024:.1f}".removesuffix(".0"))
    if size >= 1024:
        return msg("%(n)s KB", n=f"{size / 1024:.1f}".removesuffix(".0"))
    return msg("%(n)s bytes", n=size)


def unpacked_size(data: bytes) -> int | None:
    """What a .docx/.xlsx would unpack to, from its zip directory alone (None if it is no zip).
    Python's zipfile never inflates a member beyond the size its directory declares, so this sum
    bounds what opening the file can cost."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
