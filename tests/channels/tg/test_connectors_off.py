"""Unconfigured platforms are off, not fatal: credentials.yml loads without any platform
variable (Rasa's ``${VAR}`` would stop the server), each channel says once that it is off and
has no output channel; with the variables set it is on."""

from __future__ import annotations

import pytest

from tests.rasa_side.rasa_env import last_json, needs_rasa, run

SCRIPT = r"""
import json, logging
import rasa.shared.utils.common  # noqa: F401  (Rasa must be imported before our package)
from rasa.core.run import create_http_input_channels

records = []
class Keep(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger("rasa_addons").addHandler(Keep())
logging.getLogger("rasa_addons").setLevel(logging.INFO)

channels = {c.name(): c for c in create_http_input_channels(None, "credentials.yml")}
out = {}
for name in ("telegram", "twilio_whatsapp"):
    channel = channels[name]
    out[name] = {"enabled": channel.enabled, "output": channel.get_output_channel() is not None}
out["log"] = [r for r in records if "is off" in r and ("Telegram" in r or "Twilio" in r)]
print(json.dumps(out))
"""

PLATFORM_VARS = (
    "TELEGRAM_BOT_TOKEN",
    "TELEGRAM_SECRET_TOKEN",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_WHATSAPP_NUMBER",
)


@needs_rasa
def test_channels_are_off_without_their_variables_and_on_with_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in PLATFORM_VARS:
        monkeypatch.delenv(name, raising=False)  # the script inherits this environment
    off = run(["-c", SCRIPT])
    assert off.returncode == 0, off.stderr[-3000:]
    found = last_json(off.stdout)
    assert found["telegram"] == {"enabled": False, "output": False}
    assert found["twilio_whatsapp"] == {"enabled": False, "output": False}
    assert len(found["log"]) == 2 and any("Telegram" in line for line in found["log"])
    on = run(
        ["-c", SCRIPT],
        {
            "TELEGRAM_BOT_TOKEN": "1:x",
            "TELEGRAM_SECRET_TOKEN": "s3cret",
            "TWILIO_ACCOUNT_SID": "AC1",
            "TWILIO_AUTH_TOKEN": "t",
            "TWILIO_WHATSAPP_NUMBER": "whatsapp:+14155238886",
        },
    )
    assert on.returncode == 0, on.stderr[-3000:]
    found = last_json(on.stdout)
    assert found["telegram"] == {"enabled": True, "output": True}
    assert found["twilio_whatsapp"] == {"enabled": True, "output": True}
    assert found["log"] == []
