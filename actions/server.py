"""Our action server launcher: rasa_sdk's app, on loopback by default, behind a shared secret.

``python -m rasa_sdk`` binds 0.0.0.0 and answers anyone, and one crafted ``/webhook`` call
runs any action for any ``customer_id`` slot (list orders, cancel with a refund). So we serve
rasa_sdk's own app ourselves: on ``SHOPBOT_ACTION_SERVER_HOST`` (default 127.0.0.1), and every
route except ``/health`` needs ``Authorization: Bearer $SHOPBOT_ACTION_SERVER_TOKEN``, which
Rasa sends from ``action_endpoint.headers`` in endpoints*.yml.

    python -m actions.server [--host H] [--port P]
"""

from __future__ import annotations

import argparse
import hmac
import logging
from functools import partial

from rasa_sdk import utils
from rasa_sdk.constants import DEFAULT_ENDPOINTS_PATH
from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult, CollectingDispatcher
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from bot.bootstrap import services
from bot.dialogue.replies import person_button
from bot.settings import InsecureSecretError, export_to_children
from bot.texts import t, use_locale

log = logging.getLogger("actions.server")

TOKEN_ENV = "SHOPBOT_ACTION_SERVER_TOKEN"
OPEN_PATHS = frozenset({"/health"})


def authorised(header: str | None, token: str) -> bool:
    """True when ``header`` is ``Bearer <token>`` (constant-time comparison)."""
    scheme, _, given = (header or "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode("utf-8"), token.encode("utf-8"))


def require_token(app: Sanic, token: str) -> None:
    """Refuse every request but ``/health`` without the shared secret: 401, no detail."""
    if not token:
        raise ValueError("the action server needs a non-empty token")

    async def check(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or request.method == "OPTIONS":
            return None
        header = request.headers.get("authorization")
        if authorised(header, token):
            return None
        client = request.ip or "unknown"
        log.warning(
            "action server: refused %s %s from %s (%s)",
            request.method,
            request.path,
            client,
            "no token" if not header else "wrong token",
        )
        return response.json({"error": "unauthorized"}, status=401)

    app.on_request(check, priority=100)


# What the shopper reads when an action fails unexpectedly (the log says what happened).
APOLOGY = "error.action_failed"  # catalog key
# The slot that holds the conversation's language (issue 20 fills it); English without it.
LANGUAGE_SLOT = "language"


def conversation_locale(action_call: dict) -> str | None:
    """The language the shopper is spoken to in: the tracker's language slot, if any."""
    slots = (action_call.get("tracker") or {}).get("slots") or {}
    value = slots.get(LANGUAGE_SLOT)
    return str(value) if value else None


class SafeActionExecutor(ActionExecutor):
    """rasa_sdk's executor, but an action that raises answers with an apology, not a 500.

    A 500 made Rasa answer "technical problem" and log the request's whole tracker (the
    shopper's data): rasa_sdk's error handler echoes the request body into the 500.
    Rejections (a form letting a digression through) and unknown actions keep rasa_sdk's own
    answers: Rasa relies on them.
    """

    async def run(self, action_call, sink=None, dispatcher=None):  # type: ignore[no-untyped-def]
        # Every sentence of this action (bot/texts) in the conversation's language.
        with use_locale(conversation_locale(action_call)):
            return await self._run(action_call, sink, dispatcher)

    async def _run(self, action_call, sink=None, dispatcher=None):  # type: ignore[no-untyped-def]
        try:
            return await super().run(action_call, sink, dispatcher)
        except (ActionExecutionRejection, ActionNotFoundException, ActionMissingDomainException):
            raise
        except Exception:
            log.exception(
                "action %s failed; answered with an apology", action_call.get("next_action")
            )
            apology = CollectingDispatcher()
            apology.utter_message(text=t(APOLOGY), buttons=[person_button()])
            result: ActionExecutorRunResult = self._create_api_response([], apology.messages)
            return result


def build_app(actions_package: str) -> Sanic:
    """rasa_sdk's app with our actions and the token check (run again in each Sanic worker)."""
    executor = SafeActionExecutor()
    executor.register_package(actions_package)
    # The action server is called by Rasa only, never by a browser: no CORS at all.
    app = create_app_for_serve(executor, cors_origins="", endpoints=DEFAULT_ENDPOINTS_PATH)
    token = services().settings.action_server_token
    require_token(app, token.get_secret_value() if token is not None else "")
    return app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    settings = services().settings
    parser = argparse.ArgumentParser(description="shopbot action server")
    parser.add_argument("--host", default=settings.action_server_host)
    parser.add_argument("--port", type=int, default=settings.action_server_port)
    parser.add_argument("--actions", default="actions", help="package with the actions")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    try:
        settings = services().settings.require_secrets("actions")
    except InsecureSecretError as exc:
        log.error("%s", exc)
        return 2
    token = settings.action_server_token
    assert token is not None  # require_secrets set it or raised
    # Sanic workers rebuild the app, and their services, from the environment (a random
    # embedded token included).
    export_to_children(**{TOKEN_ENV: token.get_secret_value()})
    loader = AppLoader(factory=partial(build_app, args.actions))
    app = loader.load()
    log.info("action server on http://%s:%s (token required)", args.host, args.port)
    app.prepare(host=args.host, port=args.port, workers=utils.number_of_sanic_workers())
    Sanic.serve(primary=app, app_loader=loader)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
