"""`/docs` (Swagger UI) and `/redoc` (ReDoc), served with their scripts and styles from this
service: they work on a machine without internet and load nothing from a third party."""

import base64
import hashlib
import re
from pathlib import Path

import fastapi_offline
from fastapi import APIRouter
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
# Swagger UI and ReDoc releases shipped inside the fastapi-offline package (pinned with it).
ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
OPENAPI_URL = "/openapi.json"
TITLE = "Canadian occupation matching and labour-market information"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

router = APIRouter(include_in_schema=False)
assets = StaticFiles(directory=ASSETS_DIR)


def with_policy(page: HTMLResponse) -> HTMLResponse:
    """The page with a Content-Security-Policy allowing only its own scripts: the assets served
    here and its inline scripts, by hash. Both tools style elements inline and ReDoc starts a
    worker from a blob."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'"
        for script in INLINE_SCRIPT.findall(bytes(page.body).decode())
    )
    page.headers["Content-Security-Policy"] = (
        f"default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return page


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return with_policy(
        get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title=f"{TITLE} – Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            oauth2_redirect_url="/docs/oauth2-redirect",
        )
    )


@router.get("/docs/oauth2-redirect")
def swagger_ui_oauth2_redirect() -> HTMLResponse:
    return with_policy(get_swagger_ui_oauth2_redirect_html())


@router.get("/redoc")
def redoc() -> HTMLResponse:
    return with_policy(
        get_redoc_html(
            openapi_url=OPENAPI_URL,
            title=f"{TITLE} – ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
    )
