"""Xã Số: the Flask application factory.

``flask --app docmgmt run`` (or any WSGI server calling ``create_app()``) builds the app
from the configuration class chosen by ``XASO_CONFIG`` plus environment variables.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from .config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | Mapping | Config | None = None) -> Flask:
    if isinstance(config, Config):
        cfg = config
    elif isinstance(config, str):
        cfg = load_config(config)
    else:
        cfg = load_config()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=cfg.INSTANCE_DIR,
        instance_relative_config=False,
    )
    app.config.from_object(cfg)
    if isinstance(config, Mapping):
        app.config.update(config)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    Path(app.config["FILE_STORE_DIR"]).mkdir(parents=True, exist_ok=True)

    # Circle: every module of the app, and ``meetings`` from outside, imports
    # ``docmgmt.<something>``, which runs this file first; so the factory imports what
    # it assembles when it is called, not when ``docmgmt`` is imported.
    from . import web
    from .api import init_api
    from .auth import init_app as init_auth
    from .cli import register_cli
    from .core import transaction
    from .core.discovery import import_models
    from .exchange.app import init_app as init_exchange
    from .extensions import babel, csrf, db, install_sqlite_pragmas, limiter, login_manager, migrate
    from .searching import init_app as init_search

    db.init_app(app)
    with app.app_context():
        install_sqlite_pragmas(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=web.select_locale,
        timezone_selector=lambda: "Asia/Ho_Chi_Minh",
        default_translation_directories=str(ROOT / "docmgmt" / "translations"),
    )
    transaction.init_app(app)
    web.init_app(app)
    init_api(app)
    register_cli(app)
    init_auth(app)
    init_search(app)
    init_exchange(app)
    # The same circle. Meetings, built on docmgmt, come after it (as in discovery): its
    # after-commit broadcast listens after the file store's and the search index's.
    from meetings import init_app as init_meetings

    init_meetings(app)
    import_models()  # every table known to SQLAlchemy and Alembic, blueprint or not
    return app

