"""The live room's Socket.IO door: one namespace (/meetings), one room per meeting.

Every event is a thin call onto meetings.operations, committed on its own; the reply
(the Socket.IO acknowledgement) is ``{"ok": true, "seq": n}`` or ``{"ok": false,
"error": {"code", "message", "field"}}`` with the same codes and Vietnamese messages as
the pages and the API. Broadcasts go out as ``"event"`` after the commit (meetings.live).

Async mode: ``gevent`` in production and under ``make run`` (both gunicorn's
gevent-websocket worker with deploy/gunicorn.conf.py: one greenlet per connection, the
fan-out costs a socket write per client, no per-client compression), ``threading`` under
a bare ``flask run`` (simple-websocket on Werkzeug); websocket transport only. With SQLite
under gevent, see sqlite_writes_off_the_loop. See README "The meeting room".
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import weakref

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import SocketIO, join_room, leave_room

from docmgmt.core.errors import DomainError, ValidationFailed
from docmgmt.core.schemas import MAX_INT
from docmgmt.extensions import db

from . import live
from . import operations as ops

NAMESPACE = "/meetings"
SERVER_ID = ops.new_server_id()
REFRESH_SECONDS = 20

log = logging.getLogger(__name__)
socketio = SocketIO()
_sweeper_started = threading.Event()


def init_app(app: Flask) -> None:
    mode = async_mode(app.config.get("SOCKETIO_ASYNC_MODE", "auto"))
    if mode == "gevent" and app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            sqlite_writes_off_the_loop(db.engine)
    socketio.init_app(
        app,
        async_mode=mode,
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE") or None,
        channel=app.config.get("SOCKETIO_CHANNEL", "xaso-meetings"),
        manage_session=False,  # Flask's signed-cookie session and Flask-Login, as on every page
        transports=["websocket"],
        max_http_buffer_size=64 * 1024,
        ping_interval=10,
        ping_timeout=10,
        logger=False,
        engineio_logger=False,
    )
    live.set_emitter(lambda target, payload: socketio.emit("event", payload, to=target, namespace=NAMESPACE))


def async_mode(configured: str) -> str:
    """gevent when the server monkey-patched the standard library (gunicorn's gevent
    workers do), threads otherwise (``flask run``)."""
    if configured != "auto":
        return configured
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


# --- SQLite under gevent -------------------------------------------------------------------------

_WRITE_POOL_THREADS = 4
_installed_on: weakref.WeakSet = weakref.WeakSet()  # engines


def sqlite_writes_off_the_loop(engine) -> None:
    """Run the SQLite statements that may wait for the write lock on a few real threads.

    SQLite waits for its write lock (``busy_timeout``, 30 s here) inside C, where gevent
    cannot switch: on the event loop that wait would stop every greenlet of the process,
    the room's broadcasts included, while another process (the worker, a CLI command)
    holds the lock, and until the timeout when the holder is a greenlet of this process
    that yielded mid-transaction (a subprocess, an HTTP call). So a statement that may
    take the lock (anything but a read, while the connection has no write transaction
    yet) runs on a gevent thread pool, where the wait releases the GIL and the loop goes
    on; the rest (reads, which WAL never blocks; writes inside a transaction that holds
    the lock; commits) stays on the loop: sub-millisecond, and no thread hop. A statement
    holding the lock never needs the pool, so the pool's queue cannot deadlock.
    """
    if engine in _installed_on:
        return
    _installed_on.add(engine)
    from gevent.threadpool import ThreadPool
    from sqlalchemy import event

    pool = ThreadPool(_WRITE_POOL_THREADS)

    def may_wait(cursor, statement: str) -> bool:
        # pysqlite opens a transaction (BEGIN) implicitly before the first INSERT/UPDATE/
        # DELETE and keeps it to the commit: in_transaction means "holds the write lock".
        return not cursor.connection.in_transaction and statement.lstrip()[:6].upper() not in {"SELECT", "PRAGMA"}

    @event.listens_for(engine, "do_execute")
    def _execute(cursor, statement, parameters, context):
        if not may_wait(cursor, statement):
            return None
        pool.apply(cursor.execute, (statement, parameters))
        return True

    @event.listens_for(engine, "do_execute_no_params")
    def _execute_no_params(cursor, statement, context):
        if not may_wait(cursor, statement):
            return None
        pool.apply(cursor.execute, (statement,))
        return True

    @event.listens_for(engine, "do_executemany")
    def _executemany(cursor, statement, parameters, context):
        if not may_wait(cursor, statement):
            return None
        pool.apply(cursor.executemany, (statement, parameters))
        return True


# --- checking what comes in ---------------------------------------------------------------------

def _int(payload: dict, key: str, required: bool = True) -> int | None:
    """An id, a page or a number of minutes: a whole number from 1 to the largest a
    database column holds (a larger one would end as an OverflowError in a query)."""
    value = payload.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed("invalid_payload", _("«%(k)s» phải là một số nguyên.", k=key), key)
    if not 1 <= value <= MAX_INT:
        raise ValidationFailed("invalid_payload", _("«%(k)s» phải là một số nguyên từ 1 đến %(max)s.",
                                                    k=key, max=MAX_INT), key)
    return value


def _str(payload: dict, key: str) -> str:
    value = payload.get(key, "")
    if not isinstance(value, str):
        raise ValidationFailed("invalid_payload", _("«%(k)s» phải là văn bản.", k=key), key)
    return value


def _error(exc: DomainError) -> dict:
    return {"ok": False, **exc.as_dict()}


def event(name: str):
    """Register a room event: checks the session and the payload, loads the meeting the
    user may enter, runs the operation in its own transaction and replies."""

    def decorator(fn):
        @functools.wraps(fn)
        def handler(payload=None):
            if not current_user.is_authenticated:
                return {"ok": False, "error": {"code": "unauthenticated", "field": None,
                                               "message": _("Phiên đăng nhập đã hết, hãy đăng nhập lại.")}}
            try:
                if not isinstance(payload, dict):
                    raise ValidationFailed("invalid_payload", _("Dữ liệu gửi lên phải là một đối tượng JSON."))
                meeting = ops.get_for_room(current_user, _int(payload, "meeting_id"))
                result = fn(meeting, payload)
                db.session.commit()
            except DomainError as exc:
                db.session.rollback()
                return _error(exc)
            except Exception:
                db.session.rollback()
                log.exception("meeting event %s failed", name)
                return {"ok": False, "error": {"code": "internal_error", "field": None,
                                               "message": _("Lỗi máy chủ, thao tác chưa được lưu. Hãy thử lại.")}}
            reply = {"ok": True, "seq": meeting.seq}
            if isinstance(result, dict):
                reply.update(result)
            return reply

        socketio.on_event(name, handler, namespace=NAMESPACE)
        return fn

    return decorator


# --- connection and state ----------------------------------------------------------------------

@socketio.on("connect", namespace=NAMESPACE)
def _connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("unauthenticated")
    _start_sweeper(current_app._get_current_object())


@socketio.on("disconnect", namespace=NAMESPACE)
def _disconnect(*_args):
    try:
        ops.disconnect(request.sid)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("presence update on disconnect failed")


@event("join")
def _join(meeting, payload):
    """Enter the meeting's room; the reply carries the whole current state."""
    ops.connect(current_user, meeting, request.sid, SERVER_ID)
    join_room(live.room(meeting.id))
    return {"state": live.snapshot(meeting, current_user)}


@event("leave")
def _leave(meeting, payload):
    leave_room(live.room(meeting.id))
    ops.disconnect(request.sid)


@event("sync")
def _sync(meeting, payload):
    """The full current state, for a client that saw a gap in the sequence numbers."""
    return {"state": live.snapshot(meeting, current_user)}


# --- the room's actions -------------------------------------------------------------------------

@event("start")
def _start(meeting, payload):
    ops.transition(current_user, meeting, "start")


@event("end")
def _end(meeting, payload):
    ops.transition(current_user, meeting, "end")


@event("check_in")
def _check_in(meeting, payload):
    ops.check_in(current_user, meeting, _int(payload, "user_id", required=False))


@event("move_item")
def _move_item(meeting, payload):
    ops.move_item(current_user, meeting, _int(payload, "item_id"))


@event("present")
def _present(meeting, payload):
    ops.present(current_user, meeting, _int(payload, "file_id"), _int(payload, "page"))


@event("request_speech")
def _request_speech(meeting, payload):
    return {"request_id": ops.request_speech(current_user, meeting, _str(payload, "topic")).id}


def _speech_door(operation):
    def door(meeting, payload):
        operation(current_user, meeting, _int(payload, "request_id"))

    return door


for _op in (ops.grant_speech, ops.end_speech, ops.decline_speech, ops.withdraw_speech):
    event(_op.__name__)(_speech_door(_op))


@event("open_vote")
def _open_vote(meeting, payload):
    options = payload.get("options")
    if options is not None and not isinstance(options, list):
        raise ValidationFailed("invalid_options", _("Phương án biểu quyết phải là một danh sách."), "options")
    vote = ops.open_vote(current_user, meeting, _int(payload, "item_id"), _str(payload, "question"),
                         options, payload.get("secret", False))
    return {"vote_id": vote.id}


@event("cast_ballot")
def _cast_ballot(meeting, payload):
    ops.cast_ballot(current_user, meeting, _int(payload, "vote_id"), _int(payload, "option_id"))


@event("close_vote")
def _close_vote(meeting, payload):
    ops.close_vote(current_user, meeting, _int(payload, "vote_id"))


@event("save_note")
def _save_note(meeting, payload):
    ops.save_note(current_user, meeting, _int(payload, "item_id"), _str(payload, "text"))


@event("save_conclusion")
def _save_conclusion(meeting, payload):
    ops.save_conclusion(current_user, meeting, _int(payload, "item_id"), _str(payload, "text"))


@event("timer")
def _timer(meeting, payload):
    ops.timer(current_user, meeting, _int(payload, "item_id"), _str(payload, "action"),
              _int(payload, "minutes", required=False) or 0)


# --- presence across processes ---------------------------------------------------------------------

def _start_sweeper(app: Flask) -> None:
    """Once per process: refresh this process's connections and drop those of processes
    that died (their rows stop being refreshed)."""
    if _sweeper_started.is_set():
        return
    _sweeper_started.set()

    def sweep() -> None:
        while True:
            time.sleep(REFRESH_SECONDS)
            with app.app_context():
                try:
                    ops.refresh_connections(SERVER_ID)
                    db.session.commit()
                except Exception:
                    db.session.rollback()
                    log.exception("presence sweep failed")

    socketio.start_background_task(sweep)
