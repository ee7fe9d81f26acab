"""The application factory: settings, extensions, blueprints, error pages, commands."""

from pathlib import Path

from flask import Flask, has_request_context, render_template, request, session
from flask_login import current_user

from tracker.config import ROOT, Config
from tracker.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

#: pages a visitor who is not signed in may open
PUBLIC_ENDPOINTS = {"auth.login", "static"}


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
    import tracker.executors.models  # noqa: F401
    import tracker.history.models  # noqa: F401
    import tracker.plans.models  # noqa: F401
    import tracker.reports.models  # noqa: F401

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
    from tracker.auth.models import AccountRole, User
    from tracker.core import formatting
    from tracker.core.urls import url_with_language
    from tracker.plans.models import ExecutorRole
    from tracker.reports.labels import report_state_labels, status_labels
    from tracker.reports.models import ReportKind
    from tracker.reports.status import STATUSES, ReportState

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

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
                                 report_state_labels=report_state_labels, role_labels=role_labels)
    app.jinja_env.filters["long_date"] = formatting.long_date
    app.jinja_env.filters["long_datetime"] = formatting.long_datetime
    app.jinja_env.filters["tenge"] = formatting.tenge
    app.jinja_env.filters["size"] = formatting.size
    app.jinja_env.filters["message"] = formatting.message_filter
    from tracker.auth import permissions

    app.jinja_env.globals["permissions"] = permissions


def register_blueprints(app: Flask) -> None:
    from tracker.admin.routes import bp as admin_bp
    from tracker.auth.routes import bp as auth_bp
    from tracker.dashboard.routes import bp as dashboard_bp
    from tracker.export.routes import bp as export_bp
    from tracker.plans.routes import bp as plans_bp
    from tracker.progress.routes import bp as progress_bp
    from tracker.reports.routes import bp as reports_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(export_bp)


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


def register_commands(app: Flask) -> None:
    from tracker.auth.cli import users_cli
    from tracker.backup.cli import backup_command, restore_command
    from tracker.core.translate_cli import translate_cli
    from tracker.dashboard.cli import status_command
    from tracker.demo.accounts import demo_accounts_command
    from tracker.demo.cli import demo_cli
    from tracker.export.cli import export_cli
    from tracker.plans.cli import plans_cli

    app.cli.add_command(plans_cli)
    users_cli.add_command(demo_accounts_command)  # `flask users demo`: the accounts `make run` makes
    app.cli.add_command(users_cli)
    app.cli.add_command(status_command)
    app.cli.add_command(export_cli)
    app.cli.add_command(translate_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(demo_cli)
