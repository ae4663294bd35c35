"""`GET /dashboard`: the analysts' page. Its script signs in with an API key typed in (kept in the
browser tab), reads /v1/analytics/*, and draws the charts with plotly.js, which ships inside the
plotly package and is served from here: nothing comes from a third party."""

from pathlib import Path

import plotly
from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

PAGE_DIR = Path(__file__).resolve().parents[2] / "web" / "dashboard"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
ASSETS = {
    "dashboard.js": (PAGE_DIR / "dashboard.js", "text/javascript"),
    "dashboard.css": (PAGE_DIR / "dashboard.css", "text/css"),
    "plotly.min.js": (PLOTLY_JS, "text/javascript"),
}
# Own scripts only; plotly.js styles its charts with inline styles.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

router = APIRouter(include_in_schema=False)


@router.get("/dashboard")
def dashboard() -> FileResponse:
    return FileResponse(
        PAGE_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache"},
    )


@router.get("/dashboard/assets/{name}")
def dashboard_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404)
    path, media_type = ASSETS[name]
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=3600"})
