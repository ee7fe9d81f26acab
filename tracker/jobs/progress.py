"""Progress of a running job, kept in the queue's storage (SQLite or Redis) where the page polls it."""

from tracker.jobs.queue import huey


def _key(job_id: int) -> str:
    return f"tracker:export-progress:{job_id}"


def set_progress(job_id: int, done: int, total: int | None) -> None:
    huey.put(_key(job_id), (done, total))


def progress_of(job_id: int) -> tuple[int, int | None] | None:
    return huey.get(_key(job_id), peek=True)


def forget(job_id: int) -> None:
    huey.delete(_key(job_id))


class Counter:
    """Counts rows as the workbook writes them and reports every `every` rows (and at the end)."""

    def __init__(self, job_id: int, total: int | None, every: int):
        self.job_id, self.total, self.every = job_id, total, max(1, every)
        self.done = 0

    def __call__(self, rows: int = 1) -> None:
        before = self.done
        self.done += rows
        if self.done // self.every != before // self.every:
            set_progress(self.job_id, self.done, self.total)

    def finish(self) -> None:
        set_progress(self.job_id, self.done, self.done)
