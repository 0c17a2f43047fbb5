"""Static files for weak networks: content-hashed names cached for a year, compressed once.

``url_for('static', filename='app.css')`` gives ``/static/app.<hash>.css``: the hash is taken
from the file's bytes, so a changed file gets a new address and the old one can be cached
forever (``Cache-Control: public, max-age=31536000, immutable``): a page after the first costs
its HTML alone, no revalidation. The plain address (``/static/app.css``) still works, with a
short cache, for what cannot know the hash (the favicon, pdf.js's data folders).

The hash is in the file's *name*, not in a folder, so addresses relative to a file still
resolve beside it. Files that name others are rewritten to name them by their hashed names,
and are hashed after that rewriting, so a changed font changes its stylesheet's address too:
- a stylesheet's ``url(...)`` (the icon font of bootstrap-icons);
- our own ES modules' relative imports (``import … from "./live.js"``): every importer asks for
  the same hashed address, so a module is still loaded once.

Text files (CSS, JavaScript, SVG, JSON) are compressed once per process (brotli at its best
quality, gzip as well) and kept in memory; the hash of each file is computed once per
process, on first use, and recomputed only when the file's size or time changes (a stat per
address: editing a file in development shows at the next page load).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import posixpath
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from flask import Flask, Response, abort, redirect, request, send_file, session, url_for
from werkzeug.security import safe_join
from werkzeug.wrappers import Response as BaseResponse

HASH_LENGTH = 12
IMMUTABLE_AGE = 31536000  # a year: the name changes with the content
PLAIN_AGE = 600  # an address without its hash: the file may change under it
# Addresses that stay as they are: the favicon is asked for by its plain name (favicon.ico
# redirects there) and kept by the browser's own icon cache.
UNHASHED = frozenset({"favicon.svg"})
# Worth compressing; everything else (woff2, images, PDF, zip, Office files) is already compressed.
COMPRESSIBLE = frozenset({
    "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml",
    "text/plain", "text/html", "application/xml", "text/xml", "font/ttf", "font/otf",
    "application/x-font", "application/wasm",
})
MIN_COMPRESS = 1024  # smaller bodies gain less than the header costs
BEST_BROTLI_UP_TO = 512 * 1024  # brotli's best quality costs ~1 s/MB: larger files use 9

_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<hash>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[^./]+)?$")
_CSS_URL = re.compile(r"""url\(\s*(?P<q>['"]?)(?P<ref>[^'")]+)(?P=q)\s*\)""")
_JS_IMPORT = re.compile(r"""(?P<head>\b(?:from|import)\s*\(?\s*)(?P<q>['"])(?P<ref>\.\.?/[^'"]+)(?P=q)""")
_TYPES = {".mjs": "text/javascript", ".js": "text/javascript", ".map": "application/json",
          ".woff2": "font/woff2", ".woff": "font/woff", ".bcmap": "application/octet-stream"}


def mimetype_of(path: str) -> str:
    ext = posixpath.splitext(path)[1].lower()
    return _TYPES.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def hashed_filename(filename: str, digest: str) -> str:
    folder, name = posixpath.split(filename)
    stem, ext = posixpath.splitext(name)
    if not stem:  # ".htaccess"-like names: the hash at the end
        stem, ext = name, ""
    return posixpath.join(folder, f"{stem}.{digest}{ext}")


def split_hashed(filename: str) -> tuple[str, str] | None:
    """``('app.css', '<hash>')`` for ``app.<hash>.css``; None for a name without a hash."""
    folder, name = posixpath.split(filename)
    m = _HASHED.match(name)
    if not m:
        return None
    return posixpath.join(folder, m["stem"] + (m["ext"] or "")), m["hash"]


@dataclass
class Asset:
    filename: str  # relative to the static folder, with "/"
    path: Path
    stamp: tuple[int, int]  # (size, mtime_ns) when hashed
    digest: str
    mimetype: str
    body: bytes | None  # kept in memory when rewritten or compressible
    deps: dict[str, str] = field(default_factory=dict)  # filename -> digest it was rewritten with
    encoded: dict[str, bytes] = field(default_factory=dict)

    @property
    def hashed(self) -> str:
        return hashed_filename(self.filename, self.digest)

    @property
    def compressible(self) -> bool:
        return self.body is not None and self.mimetype in COMPRESSIBLE and len(self.body) >= MIN_COMPRESS

    def encode(self, encoding: str) -> bytes:
        data = self.encoded.get(encoding)
        if data is None:
            assert self.body is not None
            if encoding == "br":
                quality = 11 if len(self.body) <= BEST_BROTLI_UP_TO else 9
                mode = brotli.MODE_FONT if self.mimetype.startswith("font/") else brotli.MODE_TEXT
                data = brotli.compress(self.body, quality=quality, mode=mode)
            else:
                data = gzip.compress(self.body, 9, mtime=0)
            self.encoded[encoding] = data
        return data


class StaticAssets:
    """The static folder's files by content hash; one per application."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._assets: dict[str, Asset] = {}
        self._lock = threading.RLock()

    def get(self, filename: str, _seen: frozenset[str] = frozenset()) -> Asset | None:
        """The file as served (rewritten if it names others), or None when there is no such file."""
        filename = posixpath.normpath(filename).lstrip("/")
        found = safe_join(str(self.folder), filename)
        if found is None:
            return None
        path = Path(found)
        try:
            st = path.stat()
        except OSError:
            return None
        if not path.is_file():
            return None
        stamp = (st.st_size, st.st_mtime_ns)
        asset = self._assets.get(filename)
        if asset is not None and asset.stamp == stamp and self._deps_current(asset):
            return asset
        with self._lock:
            asset = self._load(filename, path, stamp, _seen)
            self._assets[filename] = asset
            return asset

    def _deps_current(self, asset: Asset) -> bool:
        for dep, digest in asset.deps.items():
            current = self.get(dep)
            if current is None or current.digest != digest:
                return False
        return True

    def url_name(self, filename: str) -> str:
        """The name to put in an address: hashed when the file exists, else as given."""
        if filename in UNHASHED or filename.endswith("/"):
            return filename
        asset = self.get(filename)
        return asset.hashed if asset is not None else filename

    def _load(self, filename: str, path: Path, stamp: tuple[int, int], seen: frozenset[str]) -> Asset:
        mimetype = mimetype_of(filename)
        deps: dict[str, str] = {}
        body: bytes | None = None
        if mimetype == "text/css" or (mimetype == "text/javascript" and not filename.startswith("vendor/")):
            raw = path.read_bytes()
            body = self._rewrite(filename, raw, mimetype, deps, seen | {filename})
        elif mimetype in COMPRESSIBLE:
            body = path.read_bytes()
        digest = _digest(body) if body is not None else _file_digest(path)
        return Asset(filename, path, stamp, digest, mimetype, body, deps)

    def _rewrite(self, filename: str, raw: bytes, mimetype: str, deps: dict[str, str],
                 seen: frozenset[str]) -> bytes:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw
        base = posixpath.dirname(filename)

        def hashed_ref(ref: str) -> str | None:
            if re.match(r"^(?:[a-z][a-z0-9+.-]*:|/|#)", ref, re.I):
                return None  # data:, http:, absolute, a fragment: left alone
            plain, _, suffix = ref.partition("#")
            plain = plain.split("?", 1)[0]
            target = posixpath.normpath(posixpath.join(base, plain))
            if target.startswith("../") or target in seen:
                return None
            dep = self.get(target, seen)  # a file naming one that names it back: left plain
            if dep is None:
                return None
            deps[target] = dep.digest
            new = hashed_filename(plain, dep.digest)
            return new + ("#" + suffix if suffix else "")

        if mimetype == "text/css":
            def css(m: re.Match) -> str:
                new = hashed_ref(m["ref"].strip())
                return f'url("{new}")' if new else m[0]
            text = _CSS_URL.sub(css, text)
        else:
            def js(m: re.Match) -> str:
                new = hashed_ref(m["ref"])
                return f'{m["head"]}{m["q"]}{new}{m["q"]}' if new else m[0]
            text = _JS_IMPORT.sub(js, text)
        return text.encode("utf-8")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LENGTH]


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:HASH_LENGTH]


def _encoding_wanted(accept: str) -> str | None:
    """br, else gzip, when the request accepts it (a q=0 refuses)."""
    offered: dict[str, float] = {}
    for part in accept.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        offered[name.strip()] = q
    for encoding in ("br", "gzip"):
        if offered.get(encoding, offered.get("*", 0.0)) > 0:
            return encoding
    return None


def serve(assets: StaticAssets, filename: str) -> BaseResponse:
    """The static view: a hashed name is served for a year; a stale hash redirects to the
    current file (a page from before a deployment still gets its styles); a plain name is
    served with a short cache."""
    asset = assets.get(filename)
    immutable = False
    if asset is None:
        parts = split_hashed(filename)
        if parts is None:
            abort(404)
        plain, digest = parts
        asset = assets.get(plain)
        if asset is None:
            abort(404)
        if asset.digest != digest:
            response: BaseResponse = redirect(url_for("static", filename=plain), 302)
            response.headers["Cache-Control"] = "no-cache"
            return response
        immutable = True
    age = IMMUTABLE_AGE if immutable else PLAIN_AGE
    if asset.body is None:  # fonts, images, PDF: already compressed; Range requests work
        response = send_file(asset.path, mimetype=asset.mimetype, etag=asset.digest, max_age=age,
                             conditional=True)
    else:
        encoding = _encoding_wanted(request.headers.get("Accept-Encoding", "")) if asset.compressible else None
        body = asset.encode(encoding) if encoding else asset.body
        response = Response(body, mimetype=asset.mimetype)
        if encoding:
            response.headers["Content-Encoding"] = encoding
        response.set_etag(asset.digest + (f"-{encoding}" if encoding else ""))
        response.cache_control.public = True
        response.cache_control.max_age = age
        response.make_conditional(request)
    if asset.compressible:
        response.vary.add("Accept-Encoding")
    if immutable:
        response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> StaticAssets:
    """Hashed addresses from ``url_for('static', …)`` and the static view that serves them."""
    assert app.static_folder is not None
    assets = StaticAssets(app.static_folder)
    app.extensions["xaso_assets"] = assets

    @app.url_defaults
    def _hashed_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and isinstance(values.get("filename"), str):
            values["filename"] = assets.url_name(values["filename"])

    app.view_functions["static"] = lambda filename: serve(assets, filename)

    def _no_vary_cookie(response: Response) -> Response:
        # Flask-Login's remember-cookie hook reads the session on every response, and a
        # session read makes Flask answer "Vary: Cookie": the browser would then fetch a
        # file cached before signing in again after it. A static file does not depend on
        # the session. Hooks run last-registered first: this one goes first in the list.
        if request.endpoint == "static" and not session.modified:
            session.accessed = False
        return response

    app.after_request_funcs.setdefault(None, []).insert(0, _no_vary_cookie)
    return assets
