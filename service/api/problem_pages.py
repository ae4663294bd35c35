"""`/problems/{type}`: the page each problem `type` URI points to, saying what it means and what
to do; `/problems` lists them."""

from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException

from service.problems import PROBLEM_TYPE_BASE, PROBLEM_TYPES, ProblemType

router = APIRouter(include_in_schema=False)
PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title></head>
<body>
<main>
{content}
<p><a href="/problems">All problem types</a> · <a href="/docs">API documentation</a></p>
</main>
</body>
</html>
"""


def _page(title: str, content: str) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=escape(title), content=content))


def _section(slug: str, problem: ProblemType) -> str:
    return (
        f"<h1>{escape(problem.title)}</h1>\n"
        f"<p>Type <code>{PROBLEM_TYPE_BASE}{escape(slug)}</code>, HTTP status {problem.status}.</p>\n"
        f"<p>{escape(problem.description)}</p>"
    )


@router.get("/problems")
def problem_index() -> HTMLResponse:
    items = "\n".join(
        f'<li><a href="{PROBLEM_TYPE_BASE}{escape(slug)}">{escape(problem.title)}</a> ({problem.status})</li>'
        for slug, problem in PROBLEM_TYPES.items()
    )
    intro = (
        "<h1>Problem types</h1>\n<p>Errors are RFC 9457 <code>application/problem+json</code>; "
        "their <code>type</code> is one of these pages. Plain HTTP errors (an unknown route, a method "
        "not allowed) have the type <code>about:blank</code>.</p>"
    )
    return _page("Problem types", f"{intro}\n<ul>\n{items}\n</ul>")


@router.get("/problems/{problem_type}")
def problem_page(problem_type: str) -> HTMLResponse:
    problem = PROBLEM_TYPES.get(problem_type)
    if problem is None:
        raise HTTPException(404, f"No problem type {problem_type!r}; /problems lists them.")
    return _page(problem.title, _section(problem_type, problem))
