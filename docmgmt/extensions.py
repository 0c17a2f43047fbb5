"""Flask extensions, created once here and bound to the app in the factory."""

from typing import TYPE_CHECKING

import flask_sqlalchemy.model
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so Alembic migrations are stable and work on SQLite batch mode.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)

# Models subclass ``Model`` (the same class as ``db.Model``). ``db.Model`` is built at run
# time, so a type checker cannot see it as a base class; to mypy it is our declarative
# ``Base`` plus Flask-SQLAlchemy's model mixin, which is what it is at run time.
if TYPE_CHECKING:

    class Model(Base, flask_sqlalchemy.model.Model): ...

else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite as a real database: foreign keys on, WAL so readers never wait for the
    writer, and a busy timeout so concurrent writers queue instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def install_sqlite_pragmas(engine) -> None:
    from sqlalchemy import event

    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
