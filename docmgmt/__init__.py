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

    from . import web
    from .api import init_api
    from .cli import register_cli
    from .core import transaction
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
    init_search(app)
    from .exchange.app import init_app as init_exchange

    init_exchange(app)
    from meetings import init_app as init_meetings

    init_meetings(app)
    _import_models()
    return app


def _import_models() -> None:
    """Make every model known to SQLAlchemy and Alembic."""
    from .audit import models as _audit  # noqa: F401
    from .auth import models as _auth  # noqa: F401
    from .documents import calendar as _calendar  # noqa: F401
    from .documents import history as _history  # noqa: F401
    from .documents import registers as _registers  # noqa: F401
    from .exchange import models as _exchange  # noqa: F401
    from .files import models as _files  # noqa: F401
    from .incoming import models as _incoming  # noqa: F401
    from .notifications import models as _notifications  # noqa: F401
    from .org import models as _org  # noqa: F401
    from .outgoing import models as _outgoing  # noqa: F401
    from .searching import models as _searching  # noqa: F401
    from .signing import models as _signing  # noqa: F401
