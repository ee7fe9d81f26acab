"""The Huey instance every task is registered on. Its storage is chosen from the app's settings
when the app is made (`configure`), and opened on first use: making an app opens nothing, so
tests and commands that never queue anything leave no file behind.

- HUEY_URL empty: SQLite, INSTANCE_DIR/huey.sqlite (the embedded default: nothing to install);
- HUEY_URL=redis://host:6379/1: Redis (production; the same tasks).
- HUEY_URL=sqlite:////path/huey.sqlite: SQLite elsewhere.
"""

import threading
from pathlib import Path

from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

#: the app the worker runs tasks in (tracker.jobs.worker.bind)
_bound = {"app": None}


class TrackerHuey(Huey):
    def __init__(self):
        self._url = None
        self._storage = None
        self._lock = threading.Lock()
        super().__init__("tracker", utc=True, storage_class=MemoryStorage)

    @property
    def storage(self):
        if self._storage is None:
            with self._lock:
                if self._storage is None:
                    self._storage = self._open(self._url)
        return self._storage

    @storage.setter
    def storage(self, value):
        # Huey's own constructor sets a storage; only a configured URL opens a real one
        self._storage = value if self._url is not None else None

    def configure(self, url: str) -> None:
        """Point the queue at `url` (closing whatever was open for another URL)."""
        if url == self._url:
            return
        old, self._storage, self._url = self._storage, None, url
        if old is not None:
            old.close()

    @property
    def url(self) -> str | None:
        return self._url

    def _open(self, url: str | None):
        if not url:
            raise RuntimeError("the task queue is not configured (tracker.jobs.queue.configure)")
        if url.startswith(("redis://", "rediss://", "unix://")):
            return RedisStorage(self.name, url=url)
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            return SqliteStorage(self.name, filename=str(path))
        if url == "memory://":
            return MemoryStorage(self.name)
        raise RuntimeError(f"HUEY_URL must be redis://…, sqlite:///… or empty, not {url!r}")


huey = TrackerHuey()


def default_url() -> str:
    from tracker.config import INSTANCE

    return f"sqlite:///{Path(INSTANCE) / 'huey.sqlite'}"


def init_app(app) -> None:
    """An app that names a queue (HUEY_URL) uses it; otherwise the first app of the process sets
    the default, and one pointed elsewhere by hand (a test) keeps its queue."""
    if app.config.get("HUEY_URL"):
        huey.configure(app.config["HUEY_URL"])
    elif huey.url is None:
        huey.configure(default_url())


def bound_app():
    app = _bound["app"]
    if app is None:
        raise RuntimeError("no app is bound to the worker (run it with `flask jobs worker`)")
    return app


def bind(app) -> None:
    _bound["app"] = app
