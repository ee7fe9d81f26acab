"""Evidence files kept while a report form comes back with an error.

A browser never fills a file field again, so when the report form is refused (the text left
empty, the confirmation not ticked) the files sent with it would be lost and the executor asked to
find them once more. Instead each file that passes the evidence checks is kept under the form's
submission token, in `EVIDENCE_DIR/.staged/<token>/`, and the form, shown again, lists it as
already attached; the next send of the same form carries it into the report.

- Only a file that passes `tracker.reports.evidence.check` is kept: a refused file is never
  written anywhere. It is checked again when the report is stored, like any file.
- The folder belongs to one account and one obligation (its manifest says which). The token is
  only ever shown to the person who opened the form; anyone else sending it, or the same person
  on another obligation, finds nothing there and changes nothing there.
- The folder is removed when the report is stored, and any folder untouched for a day is removed
  at the next post of any report. The files are never served: no database row names them.
"""

import json
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from flask_babel import gettext as _

from tracker.core.formatting import translated_message
from tracker.core.sizes import human_size
from tracker.reports import evidence

STAGED = ".staged"
MAX_AGE_SECONDS = 24 * 3600
MANIFEST = "manifest.json"
#: what a submission token looks like (tracker.reports.operations): nothing else names a folder
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_FILE_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class StagedFile:
    id: str
    name: str
    kind: str
    size: int


class Staging:
    """The files kept for one form (token) of one account on one obligation."""

    def __init__(self, folder: Path, user_id: int, obligation_id: int, files: list[StagedFile]):
        self.folder = folder
        self.user_id = user_id
        self.obligation_id = obligation_id
        self._files = files

    @classmethod
    def of(cls, evidence_dir: Path, token: str | None, user_id: int, obligation_id: int) -> "Staging | None":
        """The staging of the form carrying `token`, for this account and obligation (empty if
        nothing is kept yet); None when there is no usable token or its folder is someone else's."""
        if not token or not _TOKEN.match(token):
            return None
        folder = evidence_dir / STAGED / token
        try:
            manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(folder, user_id, obligation_id, [])
        except (OSError, ValueError):  # a damaged manifest: nobody can tell whose the files are
            return None
        if manifest.get("user_id") != user_id or manifest.get("obligation_id") != obligation_id:
            return None
        files = [StagedFile(**item) for item in manifest.get("files", [])]
        # only names this module makes: a manifest can never point outside its folder
        files = [f for f in files if _FILE_ID.match(f.id) and f.kind in evidence.ALLOWED]
        return cls(folder, user_id, obligation_id, [f for f in files if (folder / _stored(f)).is_file()])

    def files(self) -> list[StagedFile]:
        return list(self._files)

    def contents(self) -> list[tuple[str, bytes]]:
        """(name, bytes) of every kept file, in the order they were attached."""
        return [(f.name, (self.folder / _stored(f)).read_bytes()) for f in self._files]

    def add(self, files: list[tuple[str, bytes]], max_bytes: int, total_limit: int) -> list[str]:
        """Keep each file that passes the evidence checks; returns what was said about those that
        did not (each refused file is named, and nothing of it is written)."""
        refused = []
        for name, data in files:
            try:
                kind = evidence.check(name, data, max_bytes)
            except evidence.EvidenceError as error:
                refused.append(str(error))
                continue
            shown = evidence.clean_file_name(name) or f"file.{kind}"
            if sum(f.size for f in self._files) + len(data) > total_limit:
                refused.append(_("«%(name)s» was not kept: the files already attached reach the limit of one "
                                 "report (%(size)s).", name=shown, size=translated_message(human_size(total_limit))))
                continue
            item = StagedFile(uuid.uuid4().hex, shown, kind, len(data))
            self.folder.mkdir(parents=True, exist_ok=True)
            _write(self.folder / _stored(item), data)
            self._files.append(item)
            self._save()
        return refused

    def remove(self, file_ids) -> None:
        """Forget the files with these ids (the ones the person ticked "remove" for)."""
        wanted = {i for i in file_ids if _FILE_ID.match(i or "")}
        gone = [f for f in self._files if f.id in wanted]
        if not gone:
            return
        self._files = [f for f in self._files if f.id not in wanted]
        self._save()
        for item in gone:
            (self.folder / _stored(item)).unlink(missing_ok=True)

    def clear(self) -> None:
        """The report is stored (or can no longer be posted): nothing stays kept."""
        self._files = []
        shutil.rmtree(self.folder, ignore_errors=True)

    def _save(self) -> None:
        manifest = {"user_id": self.user_id, "obligation_id": self.obligation_id,
                    "files": [asdict(f) for f in self._files]}
        _write(self.folder / MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))


def sweep(evidence_dir: Path, max_age_seconds: int = MAX_AGE_SECONDS) -> None:
    """Remove every staging folder untouched for `max_age_seconds` (a form left for a day)."""
    root = evidence_dir / STAGED
    if not root.is_dir():
        return
    now = time.time()
    for folder in root.iterdir():
        try:
            touched = max(p.stat().st_mtime for p in (folder, *folder.iterdir()))
        except (OSError, ValueError):  # removed meanwhile, or not a folder
            touched = 0.0 if folder.is_dir() else now
        if now - touched > max_age_seconds:
            shutil.rmtree(folder, ignore_errors=True)


def _stored(item: StagedFile) -> str:
    return f"{item.id}.{item.kind}"


def _write(path: Path, data: bytes) -> None:
    """Written under a temporary name, then renamed: a crash never leaves half a file or manifest."""
    partial = path.with_name(path.name + ".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, path)
