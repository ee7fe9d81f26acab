"""The application factory: settings, extensions, blueprints, error pages, commands."""

from pathlib import Path

from flask import Flask, has_request_context, render_template, request, session
from flask_login import current_user

from tracker.config import ROOT, Config
from tracker.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

#: pages a visitor who is not signed in may open
PUBLIC_ENDPOINTS = {"auth.login", "static"}
PUBLIC_ENDPOINTS.add("feeds.feed")  # a calendar program cannot sign in: the feed's URL is its secret


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        "tracker",  # the package's name: the logger, the CLI and Flask's root path are the package's
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    if app.config["ENVIRONMENT"] == "production":
        app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    if app.config["PROXY_COUNT"]:
        # Behind nginx the client's address is in X-Forwarded-For: without this every sign-in
        # would come "from the proxy" and one person's lockout would lock everybody out.
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    Path(app.instance_path).mkdir(exist_ok=True)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    if app.config["ENVIRONMENT"] == "production" and app.config["SECRET_KEY"] in (Config.DEVELOPMENT_SECRET_KEY, ""):
        raise RuntimeError("TRACKER_ENV=production needs a SECRET_KEY of its own (see README, Running in production)")
    return app


def select_locale() -> str:
    from flask import current_app

    if not has_request_context():  # the command line: messages in the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if session.get("lang"):
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.language:
        return current_user.language  # signed back in by the remember-me cookie, on a new session
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    import tracker.auth.models  # noqa: F401  (every model known to migrations)
    import tracker.calendar.models  # noqa: F401
    import tracker.control.models  # noqa: F401
    import tracker.executors.models  # noqa: F401
    import tracker.feeds.models  # noqa: F401
    import tracker.history.models  # noqa: F401
    import tracker.indicators.models  # noqa: F401
    import tracker.jobs.models  # noqa: F401
    import tracker.jobs.tasks  # noqa: F401  (every task registered on the queue)
    import tracker.letters.models  # noqa: F401
    import tracker.mail.models  # noqa: F401
    import tracker.plans.models  # noqa: F401
    import tracker.reports.models  # noqa: F401
    import tracker.reports.rollups  # noqa: F401  (its receivers keep the dashboard's figures counted)
    import tracker.work.models  # noqa: F401
    import tracker.work.notify  # noqa: F401  (its receivers tell people as things happen)
    from tracker.jobs import queue as job_queue

    job_queue.init_app(app)  # the queue's storage (opened on first use)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    from tracker.core.security import database_unavailable, security_headers

    security_headers(app)
    database_unavailable(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    from flask_babel import get_locale
    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Sign in to open this page.")

    from tracker.auth.labels import role_labels
    from tracker.auth.models import AccountRole
    from tracker.auth.operations import account_of_session
    from tracker.control.labels import extension_state_labels, grounds_labels
    from tracker.core import formatting
    from tracker.core.urls import url_with_language
    from tracker.plans.models import ExecutorRole
    from tracker.reports.labels import report_state_labels, status_labels
    from tracker.reports.models import ReportKind
    from tracker.reports.status import STATUSES, ReportState
    from tracker.work.labels import notification_text
    from tracker.work.queries import unread_count

    # "<id>:<session token>" (User.get_id): a session or remember-me cookie from before the last
    # password change or sign-out names an old token and loads nobody
    login_manager.user_loader(account_of_session)

    @app.before_request
    def choose_language():
        # ?lang=ru (the header's switch) sets the language for the visit and, for a signed-in
        # person, remembers it on the account: it follows them to another computer.
        wanted = request.args.get("lang")
        if wanted in app.config["LANGUAGES"]:
            session["lang"] = wanted
            if current_user.is_authenticated and current_user.language != wanted:
                current_user.language = wanted
                db.session.commit()

    @app.before_request
    def sign_in_first():
        # The whole portal is for signed-in users; only the login page and static files are open.
        if request.endpoint not in PUBLIC_ENDPOINTS and not current_user.is_authenticated:
            return login_manager.unauthorized()
        return None

    @app.after_request
    def vary_on_htmx(response):
        # One URL answers with a whole page or, for htmx, a fragment: caches must keep them apart
        # (otherwise the Back button can show a bare fragment).
        response.vary.add("HX-Request")
        response.vary.add("HX-Target")
        return response

    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["url_with_language"] = url_with_language
    app.jinja_env.globals["STATUSES"] = STATUSES
    # The domain's words for templates, so that a page compares `r.kind == ReportKind.LEAD`, not "lead".
    app.jinja_env.globals.update(ExecutorRole=ExecutorRole, ReportKind=ReportKind, ReportState=ReportState,
                                 AccountRole=AccountRole, status_labels=status_labels,
                                 report_state_labels=report_state_labels, role_labels=role_labels,
                                 extension_state_labels=extension_state_labels, grounds_labels=grounds_labels,
                                 notification_text=notification_text, unread_notifications=unread_count)
    from tracker.feeds import operations as feed_operations
    from tracker.feeds.models import FeedScope
    from tracker.mail.labels import delivery_labels, reason_labels
    from tracker.mail.models import ItemReason
    from tracker.mail.operations import choice_labels
    from tracker.mail.records import digest_choice, reminders_of

    app.jinja_env.globals.update(reminders_of=reminders_of, reason_labels=reason_labels, ItemReason=ItemReason,
                                 delivery_labels=delivery_labels, digest_choice=digest_choice,
                                 choice_labels=choice_labels, FeedScope=FeedScope,
                                 live_feeds=feed_operations.live_feeds, feed_url=feed_operations.feed_url,
                                 has_account_feed=feed_operations.has_account_feed,
                                 bodies_to_follow=feed_operations.bodies_to_follow)
    app.jinja_env.filters["long_date"] = formatting.long_date
    app.jinja_env.filters["long_datetime"] = formatting.long_datetime
    app.jinja_env.filters["tenge"] = formatting.tenge
    app.jinja_env.filters["size"] = formatting.size
    app.jinja_env.filters["message"] = formatting.message_filter
    from tracker.core.shorten import shorten
    from tracker.executors.regions import region_name

    app.jinja_env.filters.update(shorten=shorten, region=region_name)  # a text cut at a word; a region in the reader's language
    from tracker.auth import permissions

    app.jinja_env.globals["permissions"] = permissions


def register_blueprints(app: Flask) -> None:
    from tracker.admin.routes import bp as admin_bp
    from tracker.auth.routes import bp as auth_bp
    from tracker.dashboard.routes import bp as dashboard_bp
    from tracker.export.routes import bp as export_bp
    from tracker.indicators.routes import bp as indicators_bp
    from tracker.plans.routes import bp as plans_bp
    from tracker.progress.control import bp as control_bp
    from tracker.progress.routes import bp as progress_bp
    from tracker.reporting.routes import bp as reporting_bp
    from tracker.reports.routes import bp as reports_bp
    from tracker.work.routes import bp as work_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(control_bp)
    app.register_blueprint(work_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(indicators_bp)
    app.register_blueprint(reporting_bp)
    from tracker.feeds.routes import bp as feeds_bp
    from tracker.jobs.routes import bp as jobs_bp
    from tracker.mail.routes import bp as mail_bp

    app.register_blueprint(mail_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(jobs_bp)
    from tracker.letters.routes import bp as letters_bp

    app.register_blueprint(letters_bp)


def register_error_handlers(app: Flask) -> None:
    from flask_babel import gettext as _
    from flask_wtf.csrf import CSRFError

    from tracker.core import formatting

    def page(code: int, message: str):
        return render_template("error.html", code=code, message=message), code

    app.register_error_handler(403, lambda e: page(403, _("Your role does not allow this.")))
    app.register_error_handler(404, lambda e: page(404, _("There is no such page.")))
    app.register_error_handler(413, lambda e: page(413, _(
        "The upload is too large (the limit for a whole request is %(size)s).",
        size=formatting.size(app.config["MAX_CONTENT_LENGTH"]))))
    def too_many_attempts(error):
        seconds = error.limit.limit.get_expiry()
        minutes = max(1, -(-seconds // 60))
        message = _("Too many failed sign-ins from here or for this account. Sign-in is locked for "
                    "%(minutes)s minutes; wait and try again, or ask an administrator to check the account.",
                    minutes=minutes)
        return render_template("error.html", code=429, message=message), 429, {"Retry-After": str(seconds)}

    app.register_error_handler(429, too_many_attempts)
    app.register_error_handler(CSRFError, lambda e: page(400, _(
        "The form expired or was not sent from this portal; open the page again and resend it.")))

    def server_error(error):
        # Flask has already logged the traceback (app.log_exception) when it calls this. The page
        # must render whatever failed, the database included: it is drawn without the account
        # (`bare`: no menu, no name), and its language is chosen from what is already in hand —
        # loading the account, or an expired attribute of it, would query the failed database.
        from flask import Response, g
        from flask_babel import force_locale
        from flask_login import AnonymousUserMixin

        g.setdefault("_login_user", AnonymousUserMixin())  # nothing on the page loads the account
        try:
            with force_locale(_language_without_the_database(app)):
                body = render_template("error.html", code=500, bare=True, message=_(
                    "Something went wrong on the portal's side. The error is recorded for the "
                    "administrator; try again in a minute."))
        except Exception:  # the page itself failed (a broken template, a missing catalog)
            app.logger.exception("the page of a server error could not be drawn")
            body = "<!doctype html><title>500</title><h1>500</h1>"
        return Response(body, 500, mimetype="text/html")

    app.register_error_handler(500, server_error)


def _language_without_the_database(app: Flask) -> str:
    """The language of the visit (the session), else the account's if it was loaded before the
    failure (read from the object as loaded, never refreshed), else the default."""
    from flask import g

    if session.get("lang") in app.config["LANGUAGES"]:
        return session["lang"]
    loaded = getattr(g.get("_login_user"), "__dict__", {})  # an expired attribute is not in it
    if loaded.get("language") in app.config["LANGUAGES"]:
        return loaded["language"]
    return app.config["BABEL_DEFAULT_LOCALE"]


def register_commands(app: Flask) -> None:
    from tracker.auth.cli import users_cli
    from tracker.backup.cli import backup_command, restore_command
    from tracker.core.translate_cli import translate_cli
    from tracker.dashboard.cli import status_command
    from tracker.demo.accounts import demo_accounts_command
    from tracker.demo.cli import demo_cli
    from tracker.export.cli import export_cli
    from tracker.plans.cli import plans_cli
    from tracker.reporting.cli import report_cli

    app.cli.add_command(plans_cli)
    users_cli.add_command(demo_accounts_command)  # `flask users demo`: the accounts `make run` makes
    app.cli.add_command(users_cli)
    app.cli.add_command(status_command)
    app.cli.add_command(export_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(demo_cli)
    app.cli.add_command(report_cli)
    from tracker.jobs.worker import jobs_cli
    from tracker.mail.cli import reminders_cli

    app.cli.add_command(reminders_cli)
    app.cli.add_command(jobs_cli)
    from tracker.letters.cli import assignments_cli

    app.cli.add_command(assignments_cli)
    for command in app.cli.commands.values():  # last: every command above, groups with all their subcommands
        _explain_database_errors(command)


#: the database's words for a missing table: SQLite's, and PostgreSQL's (SQLSTATE 42P01, undefined_table)
_MISSING_TABLE = (r"no such table: (\S+)", r'relation "([^"]+)" does not exist')


def database_problem(error: Exception, url: str) -> str | None:
    """One line for a command that met a database it cannot use — not migrated yet, or not there —
    or None for any other fault (a wrong query stays a traceback: it is a bug to see whole)."""
    import re

    from sqlalchemy import make_url
    from sqlalchemy.exc import DBAPIError, OperationalError

    from tracker.core.security import is_outage

    if not isinstance(error, DBAPIError):  # raw from the driver (engine.raw_connection()): wrapped as SQLAlchemy would
        error = OperationalError(None, None, error)
    original = error.orig
    where = make_url(url)._replace(password=None).render_as_string(hide_password=False)  # URL.set keeps a password given None
    reason = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    if type(original).__module__.startswith("sqlite3") or getattr(original, "pgcode", None) == "42P01":
        for pattern in _MISSING_TABLE:
            if found := re.search(pattern, str(original)):
                return (f"the database at {where} is not set up (no table «{found.group(1)}»); "
                        "run `flask --app wsgi db upgrade` first (or `make run`)")
    if is_outage(error):
        return f"the database at {where} cannot be reached: {reason}"
    return None


def _explain_database_errors(command) -> None:
    """Make `command` end with one line and exit code 1, not a traceback, when the database is not
    migrated or cannot be reached (a fresh clone, a wrong DATABASE_URL, PostgreSQL down)."""
    import contextlib
    import sqlite3

    import click
    import psycopg2
    from flask import current_app
    from sqlalchemy.exc import DBAPIError

    # The command objects are module-level: every app made in the process (a test makes one per
    # test) registers the same ones, and they are wrapped once.
    if getattr(command, "explains_database_errors", False):
        return
    command.explains_database_errors = True
    invoke = command.invoke

    def explained(ctx: click.Context):
        try:
            return invoke(ctx)
        except (DBAPIError, sqlite3.Error, psycopg2.Error) as error:
            message = database_problem(error, current_app.config["SQLALCHEMY_DATABASE_URI"])
            if message is None:
                raise
            with contextlib.suppress(Exception):  # the connection may be gone already
                db.session.rollback()
            click.echo(f"error: {message}", err=True)
            ctx.exit(1)

    command.invoke = explained
