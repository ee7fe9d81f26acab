"""gunicorn's settings for the portal in production: `gunicorn -c gunicorn.conf.py wsgi:app`.

gunicorn also reads this file by itself when started from the repository's folder. Every value can
be changed from the environment (README, "Settings"), so a deployment changes its unit's
EnvironmentFile, never this file. The portal itself is configured by tracker/config.py.
"""

import os


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:  # a typo stops the start: quietly running with the default would hide it
        raise ValueError(f"{name}={value!r} is not a whole number") from None


def _cores() -> int:
    # the cores this process may run on (a container's or a taskset's limit), not the machine's
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


#: the application, so that `gunicorn -c gunicorn.conf.py` needs no argument
wsgi_app = "wsgi:app"

#: Loopback only by default: nginx in front terminates TLS and serves static/. Several addresses
#: are separated by commas; `unix:/run/tracker/gunicorn.sock` also works.
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if address.strip()]

#: Worker processes: the usual 2 × cores + 1, but at most 8. Each process holds its own copy of the
#: app (about 80 MB at rest, more while it reads or writes a big workbook) and its own pool of up to
#: DB_POOL_SIZE + DB_MAX_OVERFLOW (10) database connections: 8 workers stay under PostgreSQL's
#: default of 100 connections, with room left for the flask commands and the backups.
workers = _number("WEB_CONCURRENCY", min(2 * _cores() + 1, 8))

#: Threads per worker: a page waits mostly on the database, so a few threads let one worker serve
#: a quick page while another thread builds a big workbook. Keep it at or below DB_POOL_SIZE (5) so
#: that no thread waits for a pooled connection. 1 switches to the plain sync worker.
threads = _number("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

#: Seconds a worker may stay silent before the master kills and replaces it. The auditors' workbook
#: of 102 plans takes 5 s on 2 cores (tests/bench_export.py) and grows with the data; 120 s leaves
#: room for the whole country on a busy machine. With the sync worker (threads=1) this is also the
#: longest any one request may take. nginx's proxy_read_timeout (deploy/nginx.conf.example) is the
#: same, so both give up together.
timeout = _number("GUNICORN_TIMEOUT", 120)

#: Seconds running requests get to finish on a restart or reload (systemctl reload, a deploy)
#: before their worker is killed: as long as a request may take, so an export under way survives.
graceful_timeout = _number("GUNICORN_GRACEFUL_TIMEOUT", timeout)

#: Seconds an idle keep-alive connection stays open. nginx (as configured in the example) opens a
#: new loopback connection per request, so this matters only to clients talking to gunicorn
#: directly (a health check); a few seconds is plenty and frees the thread quickly.
keepalive = _number("GUNICORN_KEEPALIVE", 5)

#: A worker is replaced after this many requests (plus a random 0..jitter, so that the workers do
#: not all restart at once): memory that pandas and openpyxl fragment while reading and writing big
#: workbooks is given back to the system. 0 switches it off.
max_requests = _number("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _number("GUNICORN_MAX_REQUESTS_JITTER", 100)

#: Access log to stdout (journald or docker collect it), with the client's address as nginx saw it
#: (X-Forwarded-For: %(h)s is nginx itself) and the request's duration in milliseconds, so slow
#: pages show up in the log. Errors and the portal's own log go to stderr.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

#: The addresses whose X-Forwarded-Proto gunicorn believes (it then tells the app the request
#: came over HTTPS). nginx on the same machine by default; the app itself trusts PROXY_COUNT hops
#: of X-Forwarded-For/-Proto (tracker/__init__.py). Never "*" while gunicorn is reachable directly.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

#: No preloading: each worker imports the app and opens its own database pool after the fork, and
#: a restart picks up new code. GUNICORN_PRELOAD=1 saves memory; post_fork below keeps it safe.
preload_app = os.environ.get("GUNICORN_PRELOAD", "") in ("1", "true", "yes")

#: The heartbeat file each worker touches: in memory, so a slow disk cannot make the master think
#: a busy worker hung (gunicorn's advice for containers and VMs).
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or ("/dev/shm" if os.path.isdir("/dev/shm") else None)

#: gunicorn 25+ opens a control socket in $HOME (for `gunicornc`). systemd already starts, reloads
#: and stops the service; a service account may have no writable home; and two instances on one
#: machine would share the one path. Off unless GUNICORN_CONTROL_SOCKET names a path for it.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

proc_name = "tracker"


def post_fork(server, worker):
    """A worker must never use database connections opened before the fork: two processes talking
    over one socket mix up each other's answers. Without preload_app the master never loaded the
    app, so there is nothing to do; with it, the copied pool is dropped (close=False: the sockets
    stay open for the master, the worker just forgets them) and the worker opens its own."""
    if not server.cfg.preload_app:
        return
    from tracker.extensions import db

    app = server.app.wsgi()  # the Flask app loaded in the master
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
