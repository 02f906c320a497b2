"""``rasa run`` with the secrets and CORS origins taken from the environment, not argv.

Rasa reads ``--auth-token`` only from its command line, and a process's command line is
readable by every local user (``ps``, /proc/PID/cmdline). This wrapper is started as
``python -m rasa_addons.rasa_server run --model ... --endpoints ...`` and appends
``--auth-token $SHOPBOT_RASA_TOKEN`` and ``--cors <origins>`` to ``sys.argv`` in-process
before calling Rasa's own ``main``, so the token never appears in the process's argv.

CORS: Rasa's ``--cors "*"`` reflects any origin with credentials. Only the origins listed in
``SHOPBOT_CORS_ORIGINS`` (comma- or space-separated, normally the web app's public origin) are
allowed; without it no cross-origin browser call is allowed at all.

The values come from :mod:`rasa_addons.settings` (the Rasa environment, Python 3.10, cannot
import ``bot.settings``); the secret rules below mirror ``bot.settings.secret_problem``
(tests/security keeps the two in step).
"""

from __future__ import annotations

import sys

from rasa_addons.settings import (
    ACTION_TOKEN_ENV,
    SESSION_SECRET_ENVS,
    TOKEN_ENV,
    RasaSettings,
    current,
)

# The session secret signs the widget's session ids (rasa_addons/session_ids.py): a public
# default would let anyone forge a session id, so Rasa refuses to start without a real one.
MIN_SECRET_CHARS = 32
# Words no random secret contains, and the longest run of neighbouring characters allowed.
WEAK_WORDS = ("password", "passw0rd", "secret", "example", "qwerty", "letmein", "admin")
MAX_SEQUENCE = 7
PLACEHOLDER_SECRETS = frozenset(
    {
        "change-me", "changeme", "change_me", "dev-only-change-me", "replace-me", "secret",
        "password", "passw0rd", "token", "test", "example", "default", "shopbot", "xxx",
    }
)  # fmt: skip


def secret_problem(value: str | None) -> str | None:
    """Why ``value`` is not a usable secret (``None`` if it is); same rules as bot.settings.

    Length alone let ``0123456789abcdef0123456789abcdef`` and
    ``password1234567890password1234567890`` through (red-team probe): a repeated pattern,
    a long run like ``0123456`` or ``abcdef`` and a common word are refused too. Values from
    ``openssl rand -hex 32`` or ``secrets.token_urlsafe(32)`` pass.
    """
    if not value:
        return "is not set"
    lowered = value.strip().lower()
    if lowered in PLACEHOLDER_SECRETS or "change-me" in lowered or "changeme" in lowered:
        return "is a placeholder"
    if len(value) < MIN_SECRET_CHARS:
        return f"is shorter than {MIN_SECRET_CHARS} characters"
    if len(set(value)) < 8:
        return "repeats too few characters"
    if any(word in lowered for word in WEAK_WORDS):
        return "contains a common word"
    size = len(value)
    if any(value == (value[:p] * (size // p + 1))[:size] for p in range(1, size // 2 + 1)):
        return "repeats a pattern"
    up = down = longest = 1  # runs of characters each one above (below) the one before
    for before, after in zip(lowered, lowered[1:], strict=False):
        up = up + 1 if ord(after) - ord(before) == 1 else 1
        down = down + 1 if ord(before) - ord(after) == 1 else 1
        longest = max(longest, up, down)
    if longest >= MAX_SEQUENCE:
        return "contains a long sequence such as 0123456 or abcdefg"
    return None


def cors_origins(raw: str | None) -> list[str]:
    """The allowed browser origins, each matched exactly.

    ``*`` would reflect any origin, and sanic_cors treats an entry containing ``* \\ ] ?`` as
    a regular expression matched only at its start (``https://.*shop.example`` would also allow
    ``https://x.shop.example.attacker.test``): such entries are dropped, plain ones compare equal.
    """
    origins = [o.strip().rstrip("/") for o in (raw or "").replace(",", " ").split()]
    return [o for o in origins if o and not any(c in o for c in "*\\]?[(")]


def rasa_argv(argv: list[str], settings: RasaSettings) -> list[str]:
    """Rasa's argv: ours plus the token and CORS origins; raises ``SystemExit`` on a bad secret."""
    if "--auth-token" in argv or "--cors" in argv:
        raise SystemExit("pass the token and CORS origins through the environment, not argv")
    values = [settings.rasa_token, settings.action_server_token, settings.session_secret]
    problems = [
        f"{name} {problem}"
        for name, value in zip(
            (TOKEN_ENV, ACTION_TOKEN_ENV, " or ".join(SESSION_SECRET_ENVS)), values, strict=True
        )
        if (problem := secret_problem(value)) is not None
    ]
    if not problems and len(set(values)) < len(values):  # one leaked value must not open all
        problems.append(
            "the Rasa token, the action-server token and the session secret must all differ"
        )
    if problems:
        raise SystemExit("refusing to start Rasa: " + "; ".join(problems))
    args = [*argv, "--auth-token", str(settings.rasa_token)]
    origins = cors_origins(settings.cors_origins)
    if origins:
        args += ["--cors", *origins]
    return args


def main() -> None:
    args = rasa_argv(sys.argv[1:], current())
    from rasa.__main__ import main as rasa_main

    from rasa_addons import install_rasa_side

    install_rasa_side()  # this package was imported before Rasa: install now

    sys.argv = ["rasa", *args]
    rasa_main()


if __name__ == "__main__":
    main()
