"""The web door: blueprints, login wiring, templates helpers, security headers, errors."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, g, has_request_context, jsonify, render_template, request, session
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from .core.errors import DomainError
from .core.permissions import Permission
from .core.timeutil import format_date, format_datetime
from .extensions import login_manager


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
    permission: Permission | None = None


# The menu, per role: an item shows only to those whose roles grant its permission.
# Later capabilities add their entries here.
NAV: list[NavItem] = [
    NavItem("home.index", _l("Trang chủ"), "house"),
    NavItem("incoming.mine", _l("Việc của tôi"), "inbox", Permission.HANDLE_ASSIGNED),
    NavItem("incoming.awaiting", _l("Chờ chỉ đạo"), "hourglass-split", Permission.DIRECT_INCOMING),
    NavItem("incoming.index", _l("Văn bản đến"), "envelope-open", Permission.VIEW_ALL_DOCUMENTS),
    NavItem("incoming.new", _l("Vào sổ"), "journal-plus", Permission.REGISTER_INCOMING),
    NavItem("incoming.register_book", _l("Sổ đến"), "journal-text", Permission.VIEW_ALL_DOCUMENTS),
    NavItem("admin.users", _l("Người dùng"), "people", Permission.MANAGE_USERS),
    NavItem("admin.units", _l("Đơn vị"), "diagram-3", Permission.MANAGE_ORGANISATION),
    NavItem("admin.audit", _l("Nhật ký"), "journal-check", Permission.VIEW_AUDIT),
]


def nav_for(user) -> list[NavItem]:
    return [i for i in NAV if i.permission is None or user.can(i.permission)]


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    from .admin.controllers import bp as admin_bp
    from .auth.controllers import bp as auth_bp
    from .files.controllers import bp as files_bp
    from .home.controllers import bp as home_bp
    from .incoming.controllers import bp as incoming_bp
    from .incoming.export import bp as incoming_export_bp
    from .org.models import User
    from .searching.controllers import bp as search_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(files_bp)
    app.register_blueprint(incoming_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(incoming_export_bp)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Hãy đăng nhập để tiếp tục.")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(session_id: str):
        return User.from_session_id(session_id)

    @login_manager.unauthorized_handler
    def _unauthorized():
        if is_api_request():
            err = DomainError("unauthenticated", str(_l("Cần đăng nhập hoặc mã truy cập.")), status=401)
            return jsonify(err.as_dict()), 401
        from flask import flash, redirect, url_for

        flash(str(login_manager.login_message), "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))

    app.jinja_env.filters["vndate"] = format_date
    app.jinja_env.filters["vndatetime"] = format_datetime
    app.jinja_env.globals.update(nav_for=nav_for, Permission=Permission, get_locale=get_locale)

    @app.context_processor
    def _globals():
        from .notifications.operations import unread_count

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

    @app.before_request
    def _request_start():
        g.xaso_keep_on_refusal = False


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
    if is_api_request():
        return jsonify({"error": {"code": code, "message": message, "field": None}}), status
    return render_template("errors.html", status=status, message=message), status
