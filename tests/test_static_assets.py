"""A commune on a weak link (issue #18): answers compressed, static files named by their
content and cached for a year, and only the CSS and icons the pages use sent.

The browser side (a page loaded twice asks for no static file again, the icon font and the
date picker still work) is in tests/test_static_assets_browser.py."""

import gzip
import io
import re
from pathlib import Path

import brotli
import pytest

from tests.conftest import ROOT, login, text_of
from tests.files_helpers import make_docx, make_pdf

STATIC = ROOT / "docmgmt" / "static"
VENDOR = STATIC / "vendor"
HASHED = re.compile(r"^/static/(?:.+/)?[^/]+\.[0-9a-f]{12}(?:\.[^./]+)?$")
YEAR = "public, max-age=31536000, immutable"


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src|data-[a-z-]+)="(/static/[^"]+)"', html)


def decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    assert encoding is None, encoding
    return response.data


# --- compression -----------------------------------------------------------------------------

@pytest.mark.parametrize("accept, expected", [
    ("gzip, deflate, br, zstd", "br"),  # what chromium sends
    ("gzip, deflate", "gzip"),
    ("br;q=0, gzip", "gzip"),
    ("", None),
    ("identity", None),
])
def test_pages_come_compressed_as_the_browser_asks_and_read_the_same(client, accept, expected):
    plain = client.get("/login", headers={"Accept-Encoding": ""})
    response = client.get("/login", headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    # The same page once decoded (the CSRF token differs per session: compare without it).
    strip = re.compile(rb'name="csrf[-_]token"[^>]*>')
    assert strip.sub(b"", decoded(response)) == strip.sub(b"", plain.data)
    if expected:
        assert len(response.data) < len(plain.data) / 2


def test_a_signed_in_page_and_an_api_answer_are_compressed(client):
    login(client, "vanthu")
    page = client.get("/incoming/", headers={"Accept-Encoding": "gzip, br"})
    assert page.headers["Content-Encoding"] == "br"
    assert b"</html>" in decoded(page)
    assert page.headers["Cache-Control"] == "no-store"  # what a signed-in person sees stays private
    api = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert api.status_code == 200 and api.headers["Content-Encoding"] == "gzip"
    assert b'"openapi"' in decoded(api)


def test_downloads_go_as_they_are_even_in_pieces(client):
    """A PDF or a DOCX is already compressed: sent as stored, and Range requests (the PDF
    viewer's) still get exactly the bytes asked for."""
    from tests.test_incoming_pages import register

    login(client, "vanthu")
    pdf, docx = make_pdf(), make_docx()
    response = register(client, files=[(io.BytesIO(pdf), "cong-van.pdf"), (io.BytesIO(docx), "phu-luc.docx")])
    assert response.status_code == 302
    html = text_of(client.get(response.headers["Location"]))
    links = sorted(set(re.findall(r'href="(/incoming/\d+/files/\d+)"', html)))
    assert len(links) >= 2, links
    bodies = {}
    for link in links:
        whole = client.get(link, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
        assert whole.status_code == 200 and "Content-Encoding" not in whole.headers
        bodies[whole.mimetype] = whole.data
        part = client.get(link, headers={"Accept-Encoding": "gzip, br", "Range": "bytes=10-109"})
        assert part.status_code == 206 and "Content-Encoding" not in part.headers
        assert part.data == whole.data[10:110]
    assert bodies["application/pdf"] == pdf
    assert docx in bodies.values()


# --- content-hashed static files -------------------------------------------------------------

def test_pages_name_static_files_by_their_content_and_those_are_cached_for_a_year(client):
    html = text_of(client.get("/login"))
    urls = [u for u in static_urls(html) if not u.endswith("/favicon.svg")]
    assert any("bootstrap.min." in u for u in urls) and any("/app." in u for u in urls)
    for url in urls:
        assert HASHED.match(url), url
        response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == YEAR, url
        assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")


def test_a_signed_in_page_names_hashed_files_too(client):
    login(client, "vanthu")
    html = text_of(client.get("/"))
    urls = [u for u in static_urls(html) if not u.endswith("/favicon.svg")]
    assert urls and all(HASHED.match(u) for u in urls), urls


def test_a_stale_or_wrong_hash_leads_to_the_current_file_and_an_unknown_file_is_404(client):
    html = text_of(client.get("/login"))
    css = next(u for u in static_urls(html) if "/app." in u and u.endswith(".css"))
    stale = re.sub(r"\.[0-9a-f]{12}\.css$", ".0123456789ab.css", css)
    response = client.get(stale)
    assert response.status_code == 302 and response.headers["Location"].endswith(css)
    assert "immutable" not in response.headers.get("Cache-Control", "")
    assert client.get("/static/nothing-here.0123456789ab.css").status_code == 404
    assert client.get("/static/../docmgmt/web.py").status_code == 404


def test_the_plain_address_still_works_with_a_short_cache(client):
    response = client.get("/static/app.js")
    assert response.status_code == 200 and b"csrf" in decoded(response).lower()
    assert response.headers["Cache-Control"] == "public, max-age=600"
    again = client.get("/static/app.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_compressed_once_and_not_when_pointless(client):
    html = text_of(client.get("/login"))
    bootstrap = next(u for u in static_urls(html) if "bootstrap.min." in u and u.endswith(".css"))
    br = client.get(bootstrap, headers={"Accept-Encoding": "gzip, deflate, br"})
    gz = client.get(bootstrap, headers={"Accept-Encoding": "gzip"})
    plain = client.get(bootstrap, headers={"Accept-Encoding": ""})
    assert br.headers["Content-Encoding"] == "br" and gz.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert decoded(br) == decoded(gz) == plain.data
    assert br.headers["ETag"] != gz.headers["ETag"] != plain.headers["ETag"]
    # woff2 is compressed already, a tiny file gains nothing.
    font = re.search(r'url\("(fonts/[^"]+\.woff2)"\)', decoded(client.get(next(
        u for u in static_urls(html) if "bootstrap-icons" in u))).decode())
    assert font
    font_url = next(u for u in static_urls(html) if "bootstrap-icons" in u).rsplit("/", 1)[0] + "/" + font[1]
    woff2 = client.get(font_url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert woff2.status_code == 200 and woff2.mimetype == "font/woff2"
    assert "Content-Encoding" not in woff2.headers and woff2.headers["Cache-Control"] == YEAR
    part = client.get(font_url, headers={"Range": "bytes=0-3"})
    assert part.status_code == 206 and part.data == b"wOF2"
    favicon = client.get("/static/favicon.svg", headers={"Accept-Encoding": "br"})
    assert favicon.status_code == 200 and "Content-Encoding" not in favicon.headers


def test_a_stylesheet_names_its_font_by_the_font_hash_relative_to_itself(app, tmp_path):
    """The hash is in the file's name, so a stylesheet's relative url() still resolves beside
    it; and a changed font changes the stylesheet's name too."""
    from docmgmt.core.assets import StaticAssets, split_hashed

    (tmp_path / "css" / "fonts").mkdir(parents=True)
    (tmp_path / "css" / "icons.css").write_text('@font-face{src:url("fonts/i.woff2?v=1") format("woff2")}'
                                                '.x{background:url(data:image/png;base64,AA==)}')
    font = tmp_path / "css" / "fonts" / "i.woff2"
    font.write_bytes(b"wOF2 first")
    assets = StaticAssets(tmp_path)
    first = assets.url_name("css/icons.css")
    body = assets.get("css/icons.css").body.decode()
    named = re.search(r'url\("(fonts/i\.([0-9a-f]{12})\.woff2)"\)', body)
    assert named and split_hashed("css/" + named[1]) == ("css/fonts/i.woff2", named[2])
    assert "data:image/png;base64,AA==" in body
    font.write_bytes(b"wOF2 second, another size")
    second = assets.url_name("css/icons.css")
    assert second != first and split_hashed(second)[0] == "css/icons.css"


def test_our_modules_import_each_other_by_hashed_names(client):
    login(client, "vanthu")
    from docmgmt.core.assets import StaticAssets

    room = StaticAssets(STATIC).get("meetings/room.js")
    assert room is not None
    imports = re.findall(rb'from "(\./[^"]+)"', room.body)
    assert imports and all(re.match(rb"\./[a-z]+\.[0-9a-f]{12}\.js$", i) for i in imports), imports


# --- what is sent at all ---------------------------------------------------------------------

def used_icon_names() -> set[str]:
    from docmgmt.web import NAV  # the menu's icons are named in Python

    names: set[str] = set()
    files = list((ROOT / "templates").rglob("*.html"))
    files += [p for p in STATIC.rglob("*.js") if "vendor" not in p.parts]
    for path in files:
        names.update(re.findall(r"\bbi-([a-z0-9]+(?:-[a-z0-9]+)*)", path.read_text(encoding="utf-8")))
    names.update(item.icon for item in NAV)
    names.add("folder2-open")  # a menu group's icon
    return names


def test_every_icon_the_pages_name_is_in_the_cut_down_icon_font():
    css = (VENDOR / "bootstrap-icons" / "font" / "bootstrap-icons.min.css").read_text()
    assert "bootstrap-icons subset" in css, "scripts/vendor.sh did not cut the icon font"
    kept = set(re.findall(r"\.bi-([a-z0-9-]+)::before", css))
    missing = sorted(n for n in used_icon_names() if n not in kept)
    assert not missing, f"icons used but not in the subset (run scripts/vendor.sh): {missing}"
    from fontTools.ttLib import TTFont

    font = TTFont(VENDOR / "bootstrap-icons" / "font" / "fonts" / "bootstrap-icons.woff2")
    cmap = font.getBestCmap()
    for name, code in re.findall(r'\.bi-([a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"', css):
        assert int(code, 16) in cmap, name
    woff2 = VENDOR / "bootstrap-icons" / "font" / "fonts" / "bootstrap-icons.woff2"
    assert len(cmap) < 400 and woff2.stat().st_size < 40_000  # the full font: 2,000 icons, 130 KB


def test_bootstrap_css_is_cut_but_keeps_what_scripts_and_flashes_add():
    css = (VENDOR / "bootstrap" / "css" / "bootstrap.min.css").read_text()
    full = (ROOT / "node_modules" / "bootstrap" / "dist" / "css" / "bootstrap.min.css")
    if full.exists():
        assert len(css) < 0.6 * full.stat().st_size
    for unused in (".accordion-button", ".ratio-21x9", ".display-1", ".list-group-horizontal-xxl"):
        assert unused not in css, unused  # no page shows these
    for selector in (".collapsing", ".dropdown-menu.show", ".fade:not(.show)", ".alert-warning", ".alert-danger",
                     ".alert-success", ".alert-info", ".navbar-collapse", ".text-bg-warning", ".btn-close",
                     ".visually-hidden", ".table-danger"):
        assert selector in css, selector


def test_the_date_picker_is_not_sent_with_every_page(client):
    login(client, "vanthu")
    home = text_of(client.get("/"))
    loaded = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', home) + re.findall(r'<link\b[^>]*\bhref="([^"]+)"', home)
    assert loaded and not [u for u in loaded if "flatpickr" in u]
    assert re.search(r'data-flatpickr="/static/vendor/flatpickr/flatpickr\.min\.[0-9a-f]{12}\.js"', home)


def test_the_vendor_build_is_reproducible_from_the_setup_command():
    vendor = (ROOT / "scripts" / "vendor.sh").read_text()
    assert "purgecss" in vendor and "icons_subset.py" in vendor
    assert '"purgecss": "8.0.0"' in (ROOT / "package.json").read_text()
    assert Path(ROOT / "scripts" / "purgecss.config.mjs").exists()
