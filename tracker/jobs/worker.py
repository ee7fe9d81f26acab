"""`flask jobs worker`: the Huey consumer, running tasks in this app. `make run` starts one beside
the development server; production runs it as its own systemd unit (deploy/tracker-worker.service.example)."""

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.jobs.queue import bind, huey

jobs_cli = AppGroup("jobs", help="Background jobs: the worker.")


def make_consumer(app, workers: int = 2, periodic: bool = True):
    import tracker.jobs.tasks  # noqa: F401  (every task registered)

    bind(app)
    # Threads, not processes: a task spends its time in the database and on the network. SQLite
    # storage is polled (at most every 2 s when idle); Redis blocks until a task comes.
    return huey.create_consumer(workers=workers, periodic=periodic, worker_type="thread", initial_delay=0.1,
                                backoff=1.15, max_delay=2.0, check_worker_health=True)


def start_in_threads(consumer) -> None:
    """Start a consumer's scheduler and workers without taking over the process's signals (the
    tests run one beside themselves); stop it with consumer.stop(graceful=True)."""
    consumer.scheduler.start()
    for _worker, thread in consumer.worker_threads:
        thread.start()


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Worker threads (default HUEY_WORKERS, 2).")
@click.option("--periodic/--no-periodic", default=True, show_default=True,
              help="Run the hourly task (the day's reminders, expired workbooks).")
def worker_command(workers: int | None, periodic: bool) -> None:
    """Run the background worker until stopped (Ctrl+C or SIGINT finishes the running tasks first)."""
    from tracker.jobs.tasks import check_now

    app = current_app._get_current_object()
    workers = workers or app.config["HUEY_WORKERS"]
    consumer = make_consumer(app, workers, periodic)
    where = huey.url.split("@")[-1] if huey.url else "?"
    click.echo(f"worker: {workers} threads, queue {where}, periodic tasks {'on' if periodic else 'off'}")
    if periodic:
        check_now()
    consumer.run()
