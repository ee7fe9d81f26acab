"""The tracker: interagency action plans, their executors and due dates."""

from pathlib import Path

from flask import Flask, request, session

from tracker.config import ROOT, Config
from tracker.extensions import babel, db, migrate


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(exist_ok=True)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    return app


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
    return session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]


def register_extensions(app: Flask) -> None:
    import tracker.executors.models  # noqa: F401  (every model known to migrations)
    import tracker.plans.models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    babel.init_app(app, locale_selector=select_locale)

    from flask_babel import get_locale

    from tracker.core import formatting

    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["long_date"] = formatting.long_date
    app.jinja_env.filters["tenge"] = formatting.tenge


def register_blueprints(app: Flask) -> None:
    from tracker.plans.routes import bp as plans_bp

    app.register_blueprint(plans_bp)


def register_commands(app: Flask) -> None:
    from tracker.plans.cli import plans_cli

    app.cli.add_command(plans_cli)
