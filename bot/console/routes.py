"""The staff console's HTTP surface (HTML pages + a small JSON API), all under ``/console``.

Every route except the login form requires a valid server-side session; every POST requires
the session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``). Pages without a
session redirect to the login form; the JSON API and POSTs answer 401.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path as FilePath
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from fastapi.templating import Jinja2Templates

from bot.bootstrap import of_app
from bot.console import analytics, auth, handoff, review
from bot.console.domain import trained_domain
from bot.console.pseudonym import conversation_ref
from bot.console.queries import ListFilters, channels, list_page, summary_dict
from bot.console.timeline import build_turns, when
from bot.db.session import Database
from bot.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "/console"
COOKIE = "shopbot_console"
LOGIN_CSRF_COOKIE = "shopbot_console_login"
# Mounted by the web app with prefix="/console" (bot/web/app.py); PREFIX builds links.
router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(FilePath(__file__).parent / "templates"))
templates.env.filters["ref"] = conversation_ref  # staff never see sender ids
templates.env.filters["when"] = when  # ... nor Unix times

# Row ids in paths: bounded so an oversized number is a 422, not a database overflow (500).
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]

# ``?error=`` carries one of these codes, never text: the page shows the fixed message, so a
# crafted link cannot put words of an attacker's choosing on a staff page.
ERROR_MESSAGES = {
    "not_found": "No such conversation.",
    "bad_tags": "Tags may use letters, digits, space, - and _ (max 40 characters).",
    "bad_intent": "An intent name uses letters, digits and _ only.",
    "unknown_intent": review.UNKNOWN_INTENT,
    "unknown_action": review.UNKNOWN_ACTION,
    "bad_turn": "That turn is not a shopper message of this conversation.",
    "rasa_down": "The assistant server is not reachable; try again.",
    "rasa_refused": "The assistant server refused the message.",
    "no_handoff": "No such hand-off.",
    "held": "Another staff member holds this conversation.",
    "finished": "This hand-off is already finished.",
    "empty_reply": "Type a message first.",
    "not_taken": "Take the conversation before replying.",
    "failed": "That did not work; reload the page and try again.",
}
_CODE_OF_MESSAGE = {message: code for code, message in ERROR_MESSAGES.items()}


def error_code(exc: Exception) -> str:
    """The ``?error=`` code for a review/hand-off error (``failed`` when it has none)."""
    text = str(exc)
    if text.endswith("holds this conversation."):
        return "held"
    return _CODE_OF_MESSAGE.get(text, "failed")


# --- dependencies -------------------------------------------------------------------------
def _settings(request: Request) -> Settings:
    """The settings of the app's services (``app.state.services``, bot/bootstrap.py)."""
    return of_app(request.app.state).settings


def console_db(request: Request) -> Database:
    """The database holding Rasa's events and the console tables (overridable in tests)."""
    return of_app(request.app.state).database


def console_rasa(request: Request) -> handoff.RasaEvents:
    settings = _settings(request)
    token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
    return handoff.RasaEvents(settings.rasa_url, token)


DB = Annotated[Database, Depends(console_db)]


def ingest_new_events(db: Database) -> None:
    """Bring the summary up to date; a failure is logged and the page shows what it has."""
    from bot.console.ingest import ingest_new_events as ingest

    try:
        ingest(db)
    except Exception:
        log.exception("transcript ingest failed; showing the summary as it is")


def _wants_html(request: Request) -> bool:
    return request.method == "GET" and "/api/" not in request.url.path


def current_staff(request: Request, db: DB) -> auth.StaffIdentity:
    identity = auth.identify(db, request.cookies.get(COOKIE))
    if identity is None:
        if _wants_html(request):
            raise HTTPException(status_code=303, headers={"Location": f"{PREFIX}/login"})
        raise HTTPException(status_code=401, detail="Log in to the staff console.")
    return identity


Staff = Annotated[auth.StaffIdentity, Depends(current_staff)]


async def checked_staff(request: Request, staff: Staff) -> auth.StaffIdentity:
    """A logged-in staff member whose POST carries the session's CSRF token."""
    submitted = request.headers.get("x-csrf-token")
    if not submitted:
        form = await request.form()
        submitted = str(form.get("csrf") or "")
    if not auth.check_csrf(staff, submitted):
        raise HTTPException(status_code=403, detail="The form expired; reload the page.")
    return staff


Poster = Annotated[auth.StaffIdentity, Depends(checked_staff)]


def _admin(staff: auth.StaffIdentity) -> None:
    if not staff.is_admin:
        raise HTTPException(status_code=403, detail="Only an admin can do this.")


def _client_ip(request: Request) -> str:
    """The client behind trusted proxies (bot/safety/client_address.py), never a forged header."""
    from bot.safety.client_address import scope_client

    return scope_client(request.scope, of_app(request.app.state).trusted_networks)


def _is_https(request: Request) -> bool:
    """Cookies get ``Secure``: over https, and when configured (default outside embedded)."""
    return (
        _settings(request).secure_cookies
        or request.url.scheme == "https"
        or request.headers.get("x-forwarded-proto", "").lower() == "https"
    )


def _page(request: Request, name: str, staff: auth.StaffIdentity | None, **ctx: Any) -> Response:
    ctx.update(request=request, staff=staff, prefix=PREFIX)
    ctx.setdefault("error_message", ERROR_MESSAGES.get(request.query_params.get("error", "")))
    response = templates.TemplateResponse(request, name, ctx)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- login --------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, error: str = "") -> Response:
    token = secrets.token_urlsafe(24)
    response = _page(request, "login.html", None, csrf=token, error=error)
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_is_https(request)
    )
    return response


@router.post("/login")
def login_submit(
    request: Request,
    db: DB,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, csrf):
        return _back(f"{PREFIX}/login?error=expired")
    try:
        ttl_s = _settings(request).session_ttl_s
        token = auth.login(db, email, password, _client_ip(request), ttl_s)
    except auth.RateLimited:
        return _locked(request, csrf)
    if token is None:
        return _back(f"{PREFIX}/login?error=bad")
    response = _back(f"{PREFIX}/")
    response.set_cookie(
        COOKIE,
        token,
        max_age=ttl_s,
        httponly=True,
        samesite="lax",
        secure=_is_https(request),
        path=PREFIX,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


def _locked(request: Request, csrf: str) -> Response:
    response = _page(request, "login.html", None, csrf=csrf, error="locked")
    response.status_code = 429
    return response


@router.post("/logout")
def logout(request: Request, db: DB, staff: Poster) -> Response:
    auth.logout(db, request.cookies.get(COOKIE))
    response = _back(f"{PREFIX}/login")
    response.delete_cookie(COOKIE, path=PREFIX)
    return response


# --- list ---------------------------------------------------------------------------------
def _filters(request: Request) -> ListFilters:
    return ListFilters.from_mapping(dict(request.query_params))


@router.get("/", response_class=HTMLResponse)
def conversation_list(request: Request, db: DB, staff: Staff, cursor: str = "") -> Response:
    ingest_new_events(db)
    filters = _filters(request)
    with db.session() as session:
        page = list_page(session, filters, cursor or None)
        known_channels = channels(session)
    next_url = None
    if page.next_cursor:
        next_url = f"{PREFIX}/?" + urlencode({**filters.as_query(), "cursor": page.next_cursor})
    return _page(
        request,
        "list.html",
        staff,
        rows=page.rows,
        filters=filters,
        channels=known_channels,
        next_url=next_url,
        query=urlencode(filters.as_query()),
    )


@router.get("/api/conversations")
def api_conversation_list(request: Request, db: DB, staff: Staff, cursor: str = "") -> Response:
    ingest_new_events(db)
    with db.session() as session:
        page = list_page(session, _filters(request), cursor or None)
    rows = [_with_ref(r) for r in page.rows]
    return JSONResponse({"conversations": rows, "next_cursor": page.next_cursor})


def _with_ref(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """An API row with the pseudonymous ``ref`` (bot/console/pseudonym.py), not the sender id."""
    if row is None:
        return None
    out = {k: v for k, v in row.items() if k != "sender_id"}
    out["ref"] = conversation_ref(row.get("sender_id"))
    return out


# --- one conversation ---------------------------------------------------------------------
def _conversation_context(db: Database, conv_id: int, reveal: bool) -> dict[str, Any]:
    ingest_new_events(db)
    with db.session() as session:
        try:
            conv = review.get_conversation(session, conv_id)
        except review.ReviewError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        turns = build_turns(session, conv.sender_id, reveal=reveal)
        summary = summary_dict(conv, reveal=reveal)
        note = conv.note
    open_handoff = next(
        (h for h in handoff.queue(db) if h["sender_id"] == summary["sender_id"]), None
    )
    if open_handoff:  # what the notices to the shopper are sent in (staff may write either)
        with db.session() as session:
            open_handoff["language"] = handoff.shopper_language(session, summary["sender_id"])
    domain = trained_domain()  # the correction form offers only the model's own names
    return {
        "conv": summary,
        "turns": turns,
        "note": note,
        "handoff": open_handoff,
        "trained_intents": sorted(domain.intents),
        "trained_actions": sorted(domain.actions),
    }


@router.get("/conversations/{conv_id}", response_class=HTMLResponse)
def conversation_view(request: Request, conv_id: RowId, db: DB, staff: Staff) -> Response:
    ctx = _conversation_context(db, conv_id, reveal=False)
    return _page(request, "conversation.html", staff, revealed=False, **ctx)


@router.get("/api/conversations/{conv_id}")
def api_conversation(conv_id: RowId, db: DB, staff: Staff) -> Response:
    ctx = _conversation_context(db, conv_id, reveal=False)  # masked: not audited (polled)
    return JSONResponse(
        {
            "conversation": _with_ref(ctx["conv"]),
            "handoff": _with_ref(ctx["handoff"]),
            # ``at`` (UTC) is the time staff see; the raw ``timestamp`` stays server-side
            "turns": [
                {k: v for k, v in t.__dict__.items() if k != "timestamp"} for t in ctx["turns"]
            ],
        }
    )


def _profile_response(db: Database, customer_id: str) -> Response:
    """The preference profile with the customer shown by reference (excerpts PII-masked)."""
    from bot.console.pii import load_known_pii, mask_value
    from bot.console.pseudonym import customer_ref
    from bot.insights.profiles import load_profile

    profile = load_profile(db, customer_id).as_dict()
    with db.session() as session:
        known = load_known_pii(session, customer_id)
    profile = {k: mask_value(v, known) for k, v in profile.items()}
    if "customer_id" in profile:
        profile["customer_id"] = customer_ref(customer_id)
    return JSONResponse(profile)


@router.get("/api/customers/{customer_id}/profile")
def api_customer_profile(customer_id: str, db: DB, staff: Staff) -> Response:
    """The preference profile of a customer id the caller already knows (insights)."""
    return _profile_response(db, customer_id)


@router.get("/api/conversations/{conv_id}/profile")
def api_conversation_profile(conv_id: RowId, db: DB, staff: Staff) -> Response:
    """The profile of a conversation's customer, without the page exposing the raw id."""
    with db.session() as session:
        try:
            conv = review.get_conversation(session, conv_id)
        except review.ReviewError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from exc
        customer_id = conv.customer_id
    if not customer_id:
        raise HTTPException(status_code=404, detail="This conversation has no known customer.")
    return _profile_response(db, customer_id)


@router.post("/conversations/{conv_id}/reveal", response_class=HTMLResponse)
def conversation_reveal(request: Request, conv_id: RowId, db: DB, staff: Poster) -> Response:
    _admin(staff)
    ctx = _conversation_context(db, conv_id, reveal=True)
    auth.audit(db, staff.email, "reveal", ctx["conv"]["sender_id"])
    return _page(request, "conversation.html", staff, revealed=True, **ctx)


def _review_call(conv_id: int, fn: Any, *args: Any) -> Response:
    try:
        fn(*args)
    except review.ReviewError as exc:
        return _back(f"{PREFIX}/conversations/{conv_id}?" + urlencode({"error": error_code(exc)}))
    return _back(f"{PREFIX}/conversations/{conv_id}")


@router.post("/conversations/{conv_id}/tags")
def conversation_tags(
    conv_id: RowId, db: DB, staff: Poster, tags: Annotated[str, Form()] = ""
) -> Response:
    return _review_call(conv_id, review.set_tags, db, conv_id, tags)


@router.post("/conversations/{conv_id}/note")
def conversation_note(
    conv_id: RowId, db: DB, staff: Poster, note: Annotated[str, Form()] = ""
) -> Response:
    return _review_call(conv_id, review.set_note, db, conv_id, note)


@router.post("/conversations/{conv_id}/reviewed")
def conversation_reviewed(
    conv_id: RowId, db: DB, staff: Poster, reviewed: Annotated[str, Form()] = "yes"
) -> Response:
    return _review_call(conv_id, review.set_reviewed, db, conv_id, reviewed == "yes")


@router.post("/conversations/{conv_id}/correct")
def conversation_correct(
    request: Request,
    conv_id: RowId,
    db: DB,
    staff: Poster,
    event_id: Annotated[int, Form(ge=0, le=MAX_ROW_ID)],
    intent: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "",
) -> Response:
    """A corrected intent (and next action); a name outside the trained domain is a 422."""
    try:
        review.correct_intent(db, conv_id, event_id, intent, staff.email, action)
    except review.ReviewError as exc:
        if str(exc) not in (review.UNKNOWN_INTENT, review.UNKNOWN_ACTION):
            return _back(
                f"{PREFIX}/conversations/{conv_id}?" + urlencode({"error": error_code(exc)})
            )
        if request.headers.get("x-csrf-token"):
            return JSONResponse({"error": str(exc)}, status_code=422)
        ctx = _conversation_context(db, conv_id, reveal=False)
        response = _page(
            request, "conversation.html", staff, revealed=False, error_message=str(exc), **ctx
        )
        response.status_code = 422
        return response
    return _back(f"{PREFIX}/conversations/{conv_id}")


@router.get("/conversations/{conv_id}/story.yml")
def conversation_story(conv_id: RowId, db: DB, staff: Staff) -> Response:
    try:
        text = review.story_yaml(db, conv_id)
        with db.session() as session:
            sender_id = review.get_conversation(session, conv_id).sender_id
    except review.ReviewError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    auth.audit(db, staff.email, "story", sender_id, f"conversation={conv_id}")
    return PlainTextResponse(
        text,
        media_type="application/x-yaml",
        headers={"Content-Disposition": f'attachment; filename="test_console_{conv_id}.yml"'},
    )


# --- exports and deletion -----------------------------------------------------------------
def _export_response(db: Database, filters: Any, format: str, turns: str, reveal: bool) -> Response:
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(
        review.export_rows(db, filters, format, with_turns=turns == "yes", reveal=reveal),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="conversations.{format}"'},
    )


def _export_format(format: str) -> None:
    if format not in ("csv", "jsonl"):
        raise HTTPException(status_code=400, detail="Export format is csv or jsonl.")


@router.get("/export")
def export(
    request: Request, db: DB, staff: Staff, format: str = "csv", turns: str = ""
) -> Response:
    """A masked bulk export, for the roles allowed to export (audited)."""
    if not staff.can_export:
        auth.audit(db, staff.email, "export-refused", None, format)
        raise HTTPException(status_code=403, detail="Your role cannot export conversations.")
    _export_format(format)
    filters = _filters(request)
    auth.audit(db, staff.email, "export", None, f"{format} {urlencode(filters.as_query())}")
    return _export_response(db, filters, format, turns, reveal=False)


MIN_REASON_CHARS = 10


@router.post("/export")
def export_unmasked(
    request: Request,
    db: DB,
    staff: Poster,
    format: Annotated[str, Form()] = "csv",
    turns: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """An unmasked export: admin only, CSRF-checked, with a stated reason kept in the audit."""
    _admin(staff)
    _export_format(format)
    reason = " ".join(reason.split())
    if len(reason) < MIN_REASON_CHARS:
        raise HTTPException(status_code=400, detail="Say why the export must be unmasked.")
    filters = _filters(request)
    auth.audit(
        db,
        staff.email,
        "export-unmasked",
        None,
        f"{format} {urlencode(filters.as_query())} reason={reason[:500]}",
    )
    return _export_response(db, filters, format, turns, reveal=True)


@router.get("/export-nlu")
def export_nlu(db: DB, staff: Staff) -> Response:
    text = review.corrections_nlu_yaml(db)
    auth.audit(db, staff.email, "export-nlu", None, "")
    return PlainTextResponse(
        text,
        media_type="application/x-yaml",
        headers={"Content-Disposition": 'attachment; filename="nlu_corrections.yml"'},
    )


@router.post("/customers/erase", response_class=HTMLResponse)
@router.post("/customers/delete", response_class=HTMLResponse)  # the older form's address
def erase_customer(
    request: Request,
    db: DB,
    staff: Poster,
    customer: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Erase a customer everywhere (bot/console/erasure.py); admin only, audited there."""
    from bot.console.erasure import ErasureError
    from bot.console.erasure import erase_customer as erase

    _admin(staff)
    try:
        report = erase(
            db, customer, staff=staff.email, redis_url=_settings(request).redis_url, reason=reason
        )
    except ErasureError as exc:
        return _page(request, "message.html", staff, message=str(exc))
    except Exception:
        log.exception("customer erasure failed")
        return _page(request, "message.html", staff, message="The erasure failed; try again.")
    return _page(
        request,
        "message.html",
        staff,
        message=f"Deleted {report.conversations} conversation(s) and every other trace of "
        f"{report.describe()}.",
    )


# --- hand-off -----------------------------------------------------------------------------
@router.get("/handoffs", response_class=HTMLResponse)
def handoff_queue(request: Request, db: DB, staff: Staff) -> Response:
    ingest_new_events(db)
    return _page(request, "handoffs.html", staff, items=handoff.queue(db))


@router.get("/api/handoffs")
def api_handoff_queue(db: DB, staff: Staff) -> Response:
    ingest_new_events(db)
    return JSONResponse({"handoffs": [_with_ref(h) for h in handoff.queue(db)]})


Rasa = Annotated[handoff.RasaEvents, Depends(console_rasa)]


def _handoff_call(request: Request, conv_url: str, fn: Any, *args: Any) -> Response:
    try:
        fn(*args)
    except handoff.HandoffError as exc:
        if request.headers.get("x-csrf-token"):
            return JSONResponse({"error": str(exc)}, status_code=409)
        return _back(f"{conv_url}?" + urlencode({"error": error_code(exc)}))
    if request.headers.get("x-csrf-token"):
        return JSONResponse({"ok": True})
    return _back(conv_url)


def _handoff_conv_url(db: Database, handoff_id: int) -> str:
    item = next((h for h in handoff.queue(db) if h["id"] == handoff_id), None)
    if item and item["conversation_id"]:
        return f"{PREFIX}/conversations/{item['conversation_id']}"
    return f"{PREFIX}/handoffs"


@router.post("/handoffs/{handoff_id}/take")
def handoff_take(
    request: Request, handoff_id: RowId, db: DB, rasa: Rasa, staff: Poster
) -> Response:
    url = _handoff_conv_url(db, handoff_id)
    response = _handoff_call(request, url, handoff.take, db, rasa, handoff_id, staff.email)
    auth.audit(db, staff.email, "take", None, f"handoff={handoff_id}")
    return response


@router.post("/handoffs/{handoff_id}/reply")
def handoff_reply(
    request: Request,
    handoff_id: RowId,
    db: DB,
    rasa: Rasa,
    staff: Poster,
    text: Annotated[str, Form()] = "",
) -> Response:
    url = _handoff_conv_url(db, handoff_id)
    return _handoff_call(request, url, handoff.reply, db, rasa, handoff_id, staff.email, text)


@router.post("/handoffs/{handoff_id}/release")
def handoff_release(
    request: Request, handoff_id: RowId, db: DB, rasa: Rasa, staff: Poster
) -> Response:
    url = _handoff_conv_url(db, handoff_id)
    return _handoff_call(request, url, handoff.finish, db, rasa, handoff_id, staff.email, True)


@router.post("/handoffs/{handoff_id}/close")
def handoff_close(
    request: Request, handoff_id: RowId, db: DB, rasa: Rasa, staff: Poster
) -> Response:
    url = _handoff_conv_url(db, handoff_id)
    return _handoff_call(request, url, handoff.finish, db, rasa, handoff_id, staff.email, False)


# --- analytics and audit ------------------------------------------------------------------
@router.get("/analytics", response_class=HTMLResponse)
def analytics_page(
    request: Request, db: DB, staff: Staff, days: int = 30, channel: str = ""
) -> Response:
    ingest_new_events(db)
    days = max(1, min(days, 365))
    channel = channel.strip()[:60]
    stats = analytics.remember(db, days, analytics.collect(db, days, channel=channel), channel)
    with db.session() as session:
        known_channels = channels(session)
    return _page(
        request,
        "analytics.html",
        staff,
        stats=stats,
        days=days,
        channel=channel,
        channels=known_channels,
        charts=analytics.CHARTS,
    )


@router.get("/analytics/{chart}.png")
def analytics_chart(
    chart: str, db: DB, staff: Staff, days: int = 30, channel: str = ""
) -> Response:
    if chart not in analytics.CHARTS:
        raise HTTPException(status_code=404, detail="No such chart.")
    stats = analytics.collect_cached(db, max(1, min(days, 365)), channel.strip()[:60])
    png = analytics.render(chart, stats)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, db: DB, staff: Staff) -> Response:
    _admin(staff)
    return _page(request, "audit.html", staff, entries=auth.recent_audit(db, limit=500))
