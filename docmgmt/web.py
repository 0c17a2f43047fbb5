"""The web door: blueprints, login wiring, templates helpers, security headers, errors."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Flask,
    flash,
    g,
    has_request_context,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l
from flask_compress import Compress
from flask_login import current_user
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .auth.operations import user_for_session
from .core import assets, routing
from .core.discovery import web_blueprints
from .core.errors import DomainError
from .core.permissions import Permission
from .core.timeutil import format_date, format_datetime
from .extensions import login_manager
from .notifications.operations import read_on_visit, unread_count


def select_locale() -> str:
    if not has_request_context():
        return "vi"  # CLI, workers: Vietnamese, the product's language
    if current_user and current_user.is_authenticated and current_user.locale in ("vi", "en"):
        return current_user.locale
    lang = session.get("lang")
    return lang if lang in ("vi", "en") else "vi"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    icon: str
    permission: Permission | tuple[Permission, ...] | None = None  # a tuple: any of them
    group: object = None  # items of one group fold into a dropdown of that name

    def shown_to(self, user) -> bool:
        if self.permission is None:
            return True
        wanted = self.permission if isinstance(self.permission, tuple) else (self.permission,)
        return any(user.can(p) for p in wanted)


@dataclass(frozen=True)
class NavGroup:
    label: object
    icon: str
    items: list[NavItem]

    @property
    def endpoints(self) -> set[str]:
        return {i.endpoint for i in self.items}


# Menu words have their own context: English says them shorter than the page titles
# ("Incoming" in the menu, "Incoming documents" on the page) so one row fits 1366 px.
OUTGOING = lazy_pgettext("menu", "Văn bản đi")
MEETINGS = lazy_pgettext("menu", "Họp, lịch")
RECORDS = lazy_pgettext("menu", "Hồ sơ")


# The menu, per role: an item shows only to those whose roles grant its permission.
# Later capabilities add their entries here.
NAV: list[NavItem] = [
    NavItem("home.index", _l("Trang chủ"), "house"),
    NavItem("incoming.mine", _l("Việc của tôi"), "inbox", Permission.HANDLE_ASSIGNED),
    NavItem("meetings.index", _l("Cuộc họp"), "calendar-event", None, MEETINGS),
    NavItem("consultations.index", _l("Lấy ý kiến bằng văn bản"), "ui-checks", None, MEETINGS),
    NavItem("schedule.index", _l("Lịch công tác tuần"), "calendar-week", None, MEETINGS),
    NavItem("incoming.awaiting", lazy_pgettext("menu", "Chờ chỉ đạo"), "hourglass-split", Permission.DIRECT_INCOMING),
    NavItem("incoming.index", lazy_pgettext("menu", "Văn bản đến"), "envelope-open", Permission.VIEW_ALL_DOCUMENTS),
    NavItem("incoming.new", _l("Vào sổ"), "journal-plus", Permission.REGISTER_INCOMING),
    NavItem("incoming.register_book", lazy_pgettext("menu", "Sổ đến"), "journal-text", Permission.VIEW_ALL_DOCUMENTS),
    NavItem("outgoing.new", _l("Soạn văn bản"), "file-earmark-plus", Permission.DRAFT_OUTGOING, OUTGOING),
    NavItem("outgoing.drafts", _l("Dự thảo của tôi"), "pencil-square", Permission.DRAFT_OUTGOING,
            OUTGOING),
    NavItem("outgoing.review", _l("Chờ tôi duyệt"), "clipboard-check",
            (Permission.REVIEW_UNIT_DRAFTS, Permission.APPROVE_OUTGOING), OUTGOING),
    NavItem("outgoing.to_sign", _l("Chờ ký"), "pen", Permission.APPROVE_OUTGOING, OUTGOING),
    NavItem("outgoing.to_issue", _l("Chờ phát hành"), "send", Permission.ISSUE_OUTGOING, OUTGOING),
    NavItem("outgoing.index", _l("Tất cả văn bản đi"), "envelope-paper", Permission.VIEW_ALL_DOCUMENTS,
            OUTGOING),
    NavItem("outgoing.register_book", _l("Sổ đi"), "journal-arrow-up",
            (Permission.VIEW_ALL_DOCUMENTS, Permission.ISSUE_OUTGOING), OUTGOING),
    NavItem("signatures.verify", _l("Kiểm tra chữ ký số"), "patch-check", None, OUTGOING),
    NavItem("records.index", _l("Hồ sơ và Danh mục hồ sơ"), "folder2", None, RECORDS),
    NavItem("records.transfers", _l("Nộp lưu"), "archive", None, RECORDS),
    # the same permissions exchange.operations.can_view asks for
    NavItem("exchange.index", lazy_pgettext("menu", "Liên thông"), "arrow-left-right",
            (Permission.MANAGE_INTEGRATION, Permission.ISSUE_OUTGOING, Permission.REGISTER_INCOMING)),
    NavItem("admin.users", _l("Người dùng"), "people", Permission.MANAGE_USERS),
    NavItem("admin.units", _l("Đơn vị"), "diagram-3", Permission.MANAGE_ORGANISATION),
    NavItem("admin.audit", _l("Nhật ký"), "journal-check", Permission.VIEW_AUDIT),
]


def nav_for(user) -> list[NavItem | NavGroup]:
    """The menu this user sees: items in order, a group's items folded into one entry
    where the group first appears."""
    menu: list[NavItem | NavGroup] = []
    groups: dict[str, NavGroup] = {}
    for item in NAV:
        if not item.shown_to(user):
            continue
        if item.group is None:
            menu.append(item)
            continue
        key = str(item.group)
        if key not in groups:
            groups[key] = NavGroup(item.group, "folder2-open", [])
            menu.append(groups[key])
        groups[key].items.append(item)
    return menu


def init_compression(app: Flask) -> None:
    """Pages, fragments and API answers compressed: brotli where the browser offers it, else
    gzip (Flask-Compress). Streamed bodies (file downloads through send_file, Range requests)
    go as they are; already-compressed types (PDF, images, woff2, Office files) are not on its
    list; static files are compressed once by core.assets. Socket.IO (its websocket) is
    answered before Flask, so never reaches these hooks."""
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_STREAMS", False)
    app.config.setdefault("COMPRESS_MIN_SIZE", assets.MIN_COMPRESS)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)  # once per request: quick enough, smaller than gzip
    Compress(app)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    if app.config.get("TRUSTED_PROXIES"):
        # Behind a reverse proxy: the client's address, not the proxy's (lockout, rate limits).
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    routing.install(app)  # before any route: an <int:…> beyond a column's range is a 404
    init_compression(app)
    assets.init_app(app)  # static files under content-hashed names, cached for a year
    # Every page blueprint of docmgmt.* and meetings, found by core.discovery; each
    # keeps the name and URL prefix it was created with.
    for bp in web_blueprints():
        app.register_blueprint(bp)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Hãy đăng nhập để tiếp tục.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(session_key: str):
        # The session and remember-me cookies carry a server-side session's key: it
        # stops signing anyone in once that session ends (logout, expiry, password).
        return user_for_session(session_key)

    @login_manager.unauthorized_handler
    def _unauthorized():
        if is_api_request():
            err = DomainError("unauthenticated", str(_l("Cần đăng nhập hoặc mã truy cập.")), status=401)
            return jsonify(err.as_dict()), 401
        flash(str(login_manager.login_message), "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    app.jinja_env.filters["vndate"] = format_date
    app.jinja_env.filters["vndatetime"] = format_datetime
    app.jinja_env.globals.update(nav_for=nav_for, Permission=Permission, get_locale=get_locale)

    @app.context_processor
    def _globals():
        count = unread_count(current_user) if current_user.is_authenticated else 0
        return {"unread_notifications": count, "demo_mode": app.config.get("DEMO_MODE")}

    @app.after_request
    def _security_headers(response):
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "SAMEORIGIN")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
            "script-src 'self'; connect-src 'self' ws: wss:; frame-src 'self' blob:; "
            "frame-ancestors 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'",
        )
        if app.config.get("SESSION_COOKIE_SECURE"):
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        # What a signed-in person sees stays out of every cache (the browser's back
        # button on a shared computer, a proxy); file downloads set their own private
        # headers, static assets keep theirs.
        # (Only a user this request already loaded: never a database read in here.)
        user = g.get("_login_user")
        if ("Cache-Control" not in h and request.endpoint != "static"
                and user is not None and user.is_authenticated):
            h["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError):
        # No rollback here: the end of the request decides (see core.transaction).
        if is_api_request():
            return jsonify(err.as_dict()), err.status
        return render_template("errors.html", status=err.status, message=err.message), err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        return http_error_response(err)

    @app.get("/favicon.ico")
    def _favicon():
        # Pages name the SVG icon; clients that ask for the classic path find it too.
        return redirect(url_for("static", filename="favicon.svg"), 301)

    @app.before_request
    def _request_start():
        g.xaso_keep_on_refusal = False
        if (request.method == "GET" and request.endpoint != "static" and not is_api_request()
                and current_user.is_authenticated):
            read_on_visit(current_user, request.path)


ERROR_MESSAGES = {
    400: _l("Yêu cầu không hợp lệ."),
    401: _l("Cần đăng nhập."),
    403: _l("Bạn không có quyền truy cập trang này."),
    404: _l("Không tìm thấy trang yêu cầu."),
    405: _l("Thao tác không được hỗ trợ."),
    413: _l("Tệp gửi lên quá lớn."),
    429: _l("Bạn thao tác quá nhanh. Hãy chờ một lát rồi thử lại."),
    500: _l("Có lỗi trong hệ thống. Hãy thử lại; nếu vẫn lỗi, báo quản trị."),
}

ERROR_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "validation_error",
    429: "rate_limited", 500: "server_error",
}


def http_error_response(err: HTTPException):
    status = err.code or 500
    message = str(ERROR_MESSAGES.get(status, err.description or ""))
    if status == 400 and "CSRF" in (err.description or ""):
        message = str(_l("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. "
                         "Hãy tải lại trang và thử lại."))
        code = "csrf_failed"
    else:
        code = ERROR_CODES.get(status, "http_error")
    # A 405 names the methods the address takes (RFC 9110 §15.5.6), as Werkzeug's own does.
    headers = {k: v for k, v in err.get_headers() if k == "Allow"}
    if is_api_request():
        return jsonify({"error": {"code": code, "message": message, "field": None}}), status, headers
    return render_template("errors.html", status=status, message=message), status, headers
