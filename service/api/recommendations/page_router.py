"""The public page: `GET /` is a plain form that the server answers with the result page (no script
needed), `GET /results` the same result alone for the page's script to swap in, `POST /feedback`
"was this helpful?". Beside the job title, a second form asks "What can you do?" (`can`) and lists
the occupations that use it; a job title's result also lists the jobs one could move to from it.
The search, the programs shown and the page view are logged as the JSON API logs them (a search by
skills logs its page view only); a cookie that ends with the browser session (a random pseudonym)
ties them into one visit, and another remembers the language chosen with the switch."""

import logging
import re
import secrets
from dataclasses import dataclass, replace
from typing import Annotated
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Cookie, Depends, Header, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session

from analytics.tracking import record_feedback, record_page_view, serve_recommendation
from careers.exceptions import NoSkillsGiven
from careers.search import CareerSearch, SkillSearch, SkillSearchRequest
from careers.skill_text import MAX_SKILL_LENGTH, MAX_SKILLS
from labour_market.exceptions import OccupationNotFound, UnknownRegion
from labour_market.regions import list_regions
from matching.suggest import TitleSuggester
from recommendations.recommend import RecommendationRequest, Recommender
from service.api.analytics.dependencies import AppLinkSigner, AppRobots, UserAgent
from service.api.recommendations.page_content import (
    NoMatchView,
    OccupationLine,
    ResultView,
    form_choices,
    move_lines,
    no_match_view,
    result_view,
    skill_result_view,
)
from service.api.recommendations.page_query import TITLE_MAX, PageQuery, read_query
from service.api.recommendations.page_templates import ASSETS, render
from service.api.recommendations.page_text import PageLanguage, page_texts
from service.api.recommendations.schemas import SKILL_MAX_LENGTH, SKILLS_MAX
from service.http.dependencies import DbSession
from service.http.head import is_head_request
from service.http.language import negotiate_language
from service.http.url_encoding import UNREADABLE_QUERY, unreadable_parameters
from service.state import ServiceModels

SESSION_COOKIE = "lmi_session"
# What people use as the page (rate-limited per visit, and generously per address): the page, its
# results and feedback, its assets, and the tracked links its cards lead through.
PAGE_PATHS = ("/", "/results", "/feedback")
PAGE_PREFIXES = ("/assets/", "/r/")
LANGUAGE_COOKIE = "lmi_lang"
LANGUAGE_KEPT_SECONDS = 365 * 24 * 3600
VISIT = re.compile(r"v_[A-Za-z0-9_-]{16}")
TYPED_FIELDS = ("q", "current", "skills", "can")  # the forms' fields whose text the person types
TRY_TITLES = 5
SKILL_SEARCH_LIMIT = 10  # occupations listed for "What can you do?"
MOVES_SHOWN = 5  # jobs listed under "Jobs you could move to"
logger = logging.getLogger(__name__)
# Own script and styles only; the form and the feedback post to this service alone.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

router = APIRouter(include_in_schema=False)
SessionCookie = Annotated[str | None, Cookie(alias=SESSION_COOKIE)]
LanguageCookie = Annotated[str | None, Cookie(alias=LANGUAGE_COOKIE)]
AcceptLanguage = Annotated[str | None, Header()]


@dataclass(frozen=True)
class Visitor:
    """Who asks, as the page knows them: the visit's pseudonym (from its cookie, or new), whether a
    robot asks, and what decides the language besides the address."""

    visit: str
    robot: bool
    chosen_language: str | None
    accept_language: str | None

    def language(self, asked: str | None) -> PageLanguage:
        return page_language(asked, self.chosen_language, self.accept_language)


def page_visitor(
    robots: AppRobots,
    agent: UserAgent,
    visit: SessionCookie = None,
    chosen: LanguageCookie = None,
    accept_language: AcceptLanguage = None,
) -> Visitor:
    return Visitor(visit_of(visit), robots.is_robot(agent), chosen, accept_language)


PageVisitor = Annotated[Visitor, Depends(page_visitor)]


@router.get("/")
def public_page(request: Request, session: DbSession, signer: AppLinkSigner, visitor: PageVisitor) -> HTMLResponse:
    return _respond(request, session, signer, visitor, whole=True)


@router.get("/results")
def result_fragment(request: Request, session: DbSession, signer: AppLinkSigner, visitor: PageVisitor) -> HTMLResponse:
    """The results of `/` alone, for the page's script (in-page updates)."""
    return _respond(request, session, signer, visitor, whole=False)


async def form_fields(request: Request) -> dict[str, str]:
    """A posted form's fields (application/x-www-form-urlencoded, as the page's forms send them); none
    when there are more than the page's forms send."""
    try:
        return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), max_num_fields=20))
    except ValueError:
        return {}


@router.post("/feedback")
def feedback(
    request: Request,
    fields: Annotated[dict[str, str], Depends(form_fields)],
    session: DbSession,
    visitor: PageVisitor,
) -> HTMLResponse:
    """Answers "was this helpful?" from the result page: logs a feedback event, then thanks the person
    with a link back to their results (the page's script stays on the results instead). An answer
    that cannot be read logs nothing: the page says so, with the same link."""
    back = urlsplit(fields.get("back", "/"))
    earlier = dict(parse_qsl(back.query)) if back.path == "/" and not back.netloc else {}
    lang = visitor.language(earlier.get("lang"))
    query = read_query(earlier, lang)
    helpful = fields.get("helpful")
    noc = fields.get("noc")
    t = page_texts(lang)
    context = _base_context(query, t)
    context["choices"] = form_choices(query, list_regions(session, lang), t)
    back_to = query.address() if query.title else "/?lang=" + lang
    readable = helpful in ("yes", "no") and (not noc or (noc.isascii() and noc.isdigit() and len(noc) == 5))
    if not readable or request.scope.get(UNREADABLE_QUERY):
        errors = _messages({"feedback": "error_feedback"}, t)  # its link leads to the way back (`back`)
        return _page("page.html", context | {"errors": errors, "back": back_to}, 422)
    record_feedback(
        session,
        helpful=helpful == "yes",
        session_id=visitor.visit,
        lang=lang,
        region=query.region or None,
        noc_code=noc or None,
        robot=visitor.robot,
    )
    return _page("page.html", context | {"thanks": back_to}, 200)


@router.get("/assets/{name}")
def page_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404)
    path, media_type = ASSETS[name]
    # The page names each asset with a digest of its content, so a copy can be kept for a year.
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": "public, max-age=31536000, immutable"})


def page_language(asked: str | None, chosen: str | None, accept_language: str | None) -> PageLanguage:
    """The address's `lang`, else the language chosen earlier with the switch, else the browser's."""
    for candidate in (asked, chosen):
        if candidate in ("en", "fr"):
            return "en" if candidate == "en" else "fr"
    return negotiate_language(accept_language)


def visit_of(cookie: str | None) -> str:
    """The visit's pseudonym: the cookie's when it is one this page made, else a new one (a cookie
    written by hand, an e-mail address say, is never stored)."""
    return cookie if cookie is not None and VISIT.fullmatch(cookie) else "v_" + secrets.token_urlsafe(12)


def _respond(
    request: Request, session: Session, signer: AppLinkSigner, visitor: Visitor, *, whole: bool
) -> HTMLResponse:
    """The page (or its results alone) for the address's query, with the visit's cookies."""
    asked_language = request.query_params.get("lang")
    lang = visitor.language(asked_language)
    query = _page_query(request, lang)
    context, status = _answer(request, session, query, signer, visitor.robot, visitor.visit)
    if whole:
        context["choices"] = form_choices(query, list_regions(session, lang), page_texts(lang))
    else:
        context["fragment"] = True  # the results alone: they show the person's errors themselves
    response = _page("page.html" if whole else "results.html", context, status)
    _remember(response, visitor, asked_language if whole else None)
    return response


def _page_query(request: Request, lang: PageLanguage) -> PageQuery:
    """The address's query. Text in it that cannot be read (a NUL, bytes that are not UTF-8: see
    service.http.url_encoding) is left out and named for the person, on the field the person typed
    it in, else on the job title: such a query asks nothing."""
    if not request.scope.get(UNREADABLE_QUERY):
        return read_query(request.query_params, lang)
    unreadable = unreadable_parameters(request.scope.get("query_string", b""))
    query = read_query({name: value for name, value in request.query_params.items() if name not in unreadable}, lang)
    by_skills = "can" in request.query_params and "q" not in request.query_params
    field = next((name for name in TYPED_FIELDS if name in unreadable), "can" if by_skills else "q")
    return replace(query, errors={**query.errors, field: "error_unreadable"})


def _answer(
    request: Request,
    session: Session,
    query: PageQuery,
    signer: AppLinkSigner,
    robot: bool,
    visit: str,
) -> tuple[dict[str, object], int]:
    """The page's context for a query: the result, or why there is none, and the HTTP status. A HEAD
    (a link checker, a preview) gets the page's headers without a search or anything logged."""
    context = _base_context(query, page_texts(query.lang))
    if query.errors:
        return context, 422
    if is_head_request(request.scope):
        return context, 200
    if not query.asks and not query.asks_by_skills:
        record_page_view(session, session_id=visit, lang=query.lang, robot=robot)
        return context, 200
    models: ServiceModels = request.app.state.models
    if query.asks_by_skills:
        return _by_skills(session, models.careers, query, context, robot, visit)
    return _by_title(session, models, query, context, signer, robot, visit)


def _by_title(
    session: Session,
    models: ServiceModels,
    query: PageQuery,
    context: dict[str, object],
    signer: AppLinkSigner,
    robot: bool,
    visit: str,
) -> tuple[dict[str, object], int]:
    """A job title's result with its programs and the jobs one could move to from it."""
    recommender = models.recommender
    if recommender is None:
        return context | {"starting": True}, 503
    try:
        found = _recommend(session, recommender, models.suggester, query, signer, robot, visit)
    except UnknownRegion:
        return context | {"errors": _messages({"region": "error_region"}, page_texts(query.lang))}, 422
    if isinstance(result := found.get("result"), ResultView):
        found["result"] = replace(result, moves=_moves(session, models.careers, result.noc_code, query))
    return context | found, 200


def _by_skills(
    session: Session,
    careers: CareerSearch | None,
    query: PageQuery,
    context: dict[str, object],
    robot: bool,
    visit: str,
) -> tuple[dict[str, object], int]:
    """Answers "What can you do?" with the occupations that use it. Not a recommendation (no program
    is shown): only the page view is logged, and nothing the person typed."""
    if careers is None:
        return context | {"starting": True}, 503
    t = page_texts(query.lang)
    asked = SkillSearchRequest(text=query.can, lang=query.lang, region=query.region or None, limit=SKILL_SEARCH_LIMIT)
    found: SkillSearch | None
    try:
        found = careers.by_skills(session, asked)
    except UnknownRegion:
        return context | {"errors": _messages({"region": "error_region"}, t)}, 422
    except NoSkillsGiven:  # nothing that reads as a skill (single letters, punctuation)
        found = None
    record_page_view(session, session_id=visit, lang=query.lang, robot=robot)
    return context | {"skill_result": skill_result_view(found, query, t), "page_title": t["can_page_title"]}, 200


def _moves(session: Session, careers: CareerSearch | None, code: str, query: PageQuery) -> list[OccupationLine]:
    """The jobs a person in the result's occupation could move to; none when the career space is not
    there yet or cannot answer for it (the result is shown all the same)."""
    if careers is None:
        return []
    try:
        moves = careers.transitions(session, code, query.lang, query.region or None, MOVES_SHOWN)
    except Exception:
        logger.warning("no career moves for %s", code, exc_info=True)
        session.rollback()  # the result's events were committed already; leave the session usable
        return []
    return move_lines(moves, query, page_texts(query.lang))


def _recommend(
    session: Session,
    recommender: Recommender,
    suggester: TitleSuggester | None,
    query: PageQuery,
    signer: AppLinkSigner,
    robot: bool,
    visit: str,
) -> dict[str, object]:
    """The result, logged as the API logs it; raises UnknownRegion."""
    t = page_texts(query.lang)
    request = RecommendationRequest(
        job_title=query.title,
        noc_code=query.noc,
        lang=query.lang,
        region=query.region or None,
        current_job_title=query.current or None,
        skills=tuple(query.skill_list()),
        filters=query.filters(),
        session_id=visit,
    )
    try:
        served = serve_recommendation(session, recommender, request, signer, robot=robot, page_view=True)
    except OccupationNotFound:  # an occupation code in the address that is not one
        return {"no_match": no_match_view(query, t)}
    view = result_view(served, query, t)
    if isinstance(view, NoMatchView):
        first_word = query.title.split()[0]
        similar = suggester.suggest(first_word, query.lang, TRY_TITLES) if suggester and len(first_word) > 2 else []
        return {"no_match": no_match_view(query, t, similar)}
    return {"result": view, "page_title": t["result_page_title"].format(title=view.title)}


def _base_context(query: PageQuery, t: dict[str, str]) -> dict[str, object]:
    other: PageLanguage = "fr" if query.lang == "en" else "en"
    return {
        "lang": query.lang,
        "other_lang": other,
        "t": t,
        "switch_address": query.address(lang=other),
        "query": query,
        "errors": _messages(query.errors, t),
        "page_title": t["page_title"],
        "can_max": MAX_SKILLS,
    }


def _messages(errors: dict[str, str], t: dict[str, str]) -> dict[str, str]:
    """Each field's error as the person reads it."""
    limits = {
        "error_title_long": {"max": TITLE_MAX},
        "error_current_long": {"max": TITLE_MAX},
        "error_skills": {"max": SKILLS_MAX, "length": SKILL_MAX_LENGTH},
        "error_can": {"max": MAX_SKILLS, "length": MAX_SKILL_LENGTH},
    }
    return {field: t[key].format(**limits.get(key, {})) for field, key in errors.items()}


def _page(template: str, context: dict[str, object], status: int) -> HTMLResponse:
    return HTMLResponse(
        render(template, context),
        status_code=status,
        # The programs shown are logged with their own links: a copy may be shown again from the
        # browser's history (back button), but is checked with the service before any other reuse.
        headers={
            "Content-Security-Policy": POLICY,
            "Cache-Control": "private, no-cache",
            "Content-Language": str(context["lang"]),
            "Vary": "Accept-Language, Cookie",  # the language may come from either
        },
    )


def _remember(response: Response, visitor: Visitor, asked_language: str | None) -> None:
    response.set_cookie(SESSION_COOKIE, visitor.visit, httponly=True, samesite="lax")  # ends with the browser session
    if asked_language in ("en", "fr") and asked_language != visitor.chosen_language:
        response.set_cookie(
            LANGUAGE_COOKIE, asked_language, max_age=LANGUAGE_KEPT_SECONDS, httponly=True, samesite="lax"
        )
