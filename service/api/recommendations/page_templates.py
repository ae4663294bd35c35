"""The public page's templates (Jinja2, every value escaped) and its two assets, each named in the page
with a digest of its content so that browsers may keep them."""

import hashlib
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

PAGE_DIR = Path(__file__).resolve().parents[2] / "web" / "public"
ASSETS = {
    "page.css": (PAGE_DIR / "page.css", "text/css"),
    "page.js": (PAGE_DIR / "page.js", "text/javascript"),
}
DIGESTS = {name: hashlib.sha256(path.read_bytes()).hexdigest()[:12] for name, (path, _) in ASSETS.items()}

ENVIRONMENT = Environment(
    loader=FileSystemLoader(PAGE_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.globals["asset"] = lambda name: f"/assets/{name}?v={DIGESTS[name]}"


def render(template: str, context: dict[str, Any]) -> str:
    return ENVIRONMENT.get_template(template).render(context)
