"""Gunicorn settings for Xã Số: the one way the web app is served.

Used by ``make run`` (scripts/run), the systemd unit (deploy/xaso-web.service), the
browser tests' LiveServer and scripts/bench_meeting.py, each adding only its address::

    gunicorn -c deploy/gunicorn.conf.py -b 127.0.0.1:5000 'docmgmt:create_app()'

gevent-websocket worker: one greenlet per connection, so a meeting room's broadcast is a
socket write per screen, not a thread wake-up per screen; and gevent-websocket does not
negotiate permessage-deflate, so the small room frames are not compressed once per client.
The standard library is monkey-patched before the app loads, which makes the Socket.IO
async mode "gevent" (meetings.sockets.async_mode) and subprocesses (LibreOffice, OCR,
PDF checks) wait cooperatively. Under SQLite, statements that may wait for the write lock
run on a small thread pool (meetings.sockets), so a wait never stops the other greenlets.

Processes: ``WEB_CONCURRENCY`` (gunicorn's own variable, default 1). With SQLite keep 1;
more than one needs PostgreSQL and XASO_MESSAGE_QUEUE (Redis), so that a broadcast made in
one process reaches the screens connected to the others.
"""

import os

worker_class = "geventwebsocket.gunicorn.workers.GeventWebSocketWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
# Open connections per process: every screen of a meeting holds one websocket.
worker_connections = 10000
# gevent workers answer the arbiter from their own greenlet; a request only stops that if it
# holds the CPU this long (a stuck C call), and the worker is then restarted.
timeout = 60
# On SIGTERM (systemctl stop/restart) connections get this long to finish; websockets are
# closed then and browsers reconnect to the new process. Ctrl-C (SIGINT) stops at once.
graceful_timeout = 5
keepalive = 5
# Logs to stderr (the terminal, or journald under systemd); an access line per request.
accesslog = "-"
errorlog = "-"
# Behind nginx, the client's address and scheme come from X-Forwarded-* as the app reads
# them (XASO_TRUSTED_PROXIES=1), not from gunicorn.
# No gunicornc control socket: it would be one path per user ($HOME/.gunicorn/gunicorn.ctl)
# shared by every instance that user runs (make run beside the tests, two communes on one
# server). systemctl reload (SIGHUP) and WEB_CONCURRENCY do that job here.
control_socket_disable = True


def worker_int(worker):
    """Ctrl-C (SIGINT) or SIGQUIT: gunicorn's quick shutdown. The worker runs the app's exit
    handlers (search index, extraction sandboxes) and leaves at once: the interpreter's own
    teardown under gevent takes seconds, past which the master kills the worker anyway. Like
    a crash, it loses nothing committed (SQLite's WAL, PostgreSQL). SIGTERM (systemctl stop)
    stays graceful (graceful_timeout)."""
    import atexit
    import sys

    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def post_worker_init(worker):
    """Once the app is loaded: its objects (modules, routes, templates, models) move to the
    collector's permanent generation, so the occasional full collection walks only what
    requests and meetings create, not the whole app (a pause the meeting room would feel
    as a slow broadcast)."""
    import gc

    gc.collect()
    gc.freeze()
