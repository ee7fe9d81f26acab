"""What an old Office file (an OLE2 compound file) is, without opening it in an office program.

Word 97 .doc, Excel 97 .xls and a password-protected .docx/.xlsx all start with the same eight
bytes: they are little file systems of named streams. The names tell which it is (WordDocument,
Workbook, EncryptedPackage), and two flags tell whether Word or Excel encrypted it (the FIB's
fEncrypted bit, a FILEPASS record). LibreOffice, asked to convert an encrypted file without its
password, only says "source file could not be loaded" — the same as for a damaged one — so the
engine looks first and gives a person the line that says what is wrong.

Reads the directory and at most the first sector of one stream; every count and chain is bounded,
so a damaged or hostile header costs nothing. Pure Python (the format: [MS-CFB]).
"""

import struct
from dataclasses import dataclass

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
#: no directory of a real plan has more entries; a longer chain is a loop or damage
_MAX_DIRECTORY_SECTORS = 256
_MAX_FAT_SECTORS = 4096


class NotCompoundFile(ValueError):
    """The bytes are not a readable OLE2 compound file."""


@dataclass(frozen=True)
class OleSummary:
    kind: str  #: "doc" | "xls" | "encrypted-ooxml" | "other"
    encrypted: bool


def is_compound_file(data: bytes) -> bool:
    return data[:8] == MAGIC


def summarize(data: bytes) -> OleSummary:
    """Which kind of old Office file this is and whether it is encrypted; NotCompoundFile if the
    directory cannot be read."""
    reader = _Reader(data)
    names = {name.lower(): (start, size) for name, start, size in reader.entries()}
    reader.root_start = names.get("root entry", (_END_OF_CHAIN, 0))[0]
    if "encryptedpackage" in names or "encryptioninfo" in names:
        return OleSummary("encrypted-ooxml", True)  # a .docx/.xlsx saved with a password
    if "worddocument" in names:
        fib = reader.first_sector(*names["worddocument"])
        # FibBase.fEncrypted: bit 8 of the flags word at offset 0x0A ([MS-DOC] 2.5.2)
        return OleSummary("doc", len(fib) >= 12 and bool(struct.unpack_from("<H", fib, 0x0A)[0] & 0x0100))
    for name in ("workbook", "book"):
        if name in names:
            return OleSummary("xls", _xls_has_filepass(reader.first_sector(*names[name])))
    return OleSummary("other", False)


def _xls_has_filepass(stream: bytes) -> bool:
    """A FILEPASS record (0x002F) among the first records of the workbook globals ([MS-XLS] 2.4.117)."""
    at = 0
    for _ in range(64):
        if at + 4 > len(stream):
            return False
        record, length = struct.unpack_from("<HH", stream, at)
        if record == 0x002F:
            return True
        if record == 0x000A:  # EOF of the globals: no password
            return False
        at += 4 + length
    return False


class _Reader:
    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != MAGIC:
            raise NotCompoundFile("no compound file header")
        self.data = data
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            raise NotCompoundFile("odd sector size")
        self.sector_size = 1 << shift
        self.directory_start = struct.unpack_from("<I", data, 0x30)[0]
        #: streams smaller than this live in the mini stream, in 64-byte sectors
        self.mini_cutoff = struct.unpack_from("<I", data, 0x38)[0]
        self.root_start = _END_OF_CHAIN
        fat_count = min(struct.unpack_from("<I", data, 0x2C)[0], _MAX_FAT_SECTORS)
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _END_OF_CHAIN][:fat_count]
        difat, difat_count = struct.unpack_from("<II", data, 0x44)
        per_sector = self.sector_size // 4
        for _ in range(min(difat_count, _MAX_FAT_SECTORS)):
            if difat >= _END_OF_CHAIN or len(fat_sectors) >= fat_count:
                break
            block = self.sector(difat)
            if len(block) < self.sector_size:
                break
            values = struct.unpack_from(f"<{per_sector}I", block)
            fat_sectors += [s for s in values[:-1] if s < _END_OF_CHAIN]
            difat = values[-1]
        fat: list[int] = []
        for number in fat_sectors[:fat_count]:
            block = self.sector(number)
            fat += struct.unpack_from(f"<{len(block) // 4}I", block)
        self.fat = fat

    def sector(self, number: int) -> bytes:
        at = (number + 1) * self.sector_size
        return self.data[at:at + self.sector_size]

    def first_sector(self, start: int, size: int) -> bytes:
        """The first bytes of a stream: its first sector, or its first 64 bytes in the mini stream."""
        if start >= _END_OF_CHAIN:
            return b""
        if size >= self.mini_cutoff:
            return self.sector(start)[:size]
        # The mini stream is the root entry's chain of ordinary sectors: walk to the one that holds
        # mini sector `start`.
        offset = start * 64
        sector = self.root_start
        for _ in range(offset // self.sector_size):
            if sector >= len(self.fat):
                return b""
            sector = self.fat[sector]
        if sector >= _END_OF_CHAIN:
            return b""
        inside = offset % self.sector_size
        return self.sector(sector)[inside:inside + min(size, 64)]

    def entries(self) -> list[tuple[str, int, int]]:
        """(name, first sector, size) of every directory entry."""
        entries = []
        sector, seen = self.directory_start, set()
        while sector < _END_OF_CHAIN and sector not in seen and len(seen) < _MAX_DIRECTORY_SECTORS:
            seen.add(sector)
            block = self.sector(sector)
            if len(block) < self.sector_size:
                raise NotCompoundFile("the directory runs past the end of the file")
            for at in range(0, self.sector_size, 128):
                length = struct.unpack_from("<H", block, at + 64)[0]
                if 2 <= length <= 64 and block[at + 66] in (1, 2, 5):  # storage, stream, root
                    name = block[at:at + length - 2].decode("utf-16-le", "replace")
                    start, size = struct.unpack_from("<II", block, at + 116)
                    entries.append((name, start, size))
            sector = self.fat[sector] if sector < len(self.fat) else _END_OF_CHAIN
        if not entries:
            raise NotCompoundFile("an empty directory")
        return entries
