"""Parse messages with a trained model, in the Rasa environment (``.venv-rasa``).

``python tests/nlu/parse_with_model.py MODEL.tar.gz < texts.json`` prints, as its last line,
a JSON list with the intent ranking and the entities of each text (Rasa's parse result:
the whole NLU pipeline, ``EntitySanity`` included).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import sys


def main() -> None:
    texts = json.load(sys.stdin)
    with contextlib.redirect_stdout(io.StringIO()):
        logging.disable(logging.WARNING)
        from rasa.core.agent import Agent

        agent = Agent.load(sys.argv[1])

        async def parse_all() -> list[dict]:
            return [await agent.parse_message(text) for text in texts]

        parsed = asyncio.run(parse_all())
    print(
        json.dumps(
            [
                {
                    "text": p["text"],
                    "intent": p["intent"],
                    "intent_ranking": p.get("intent_ranking", []),
                    "entities": [
                        {k: e.get(k) for k in ("entity", "start", "end", "value", "extractor")}
                        for e in p.get("entities", [])
                    ],
                }
                for p in parsed
            ]
        )
    )


if __name__ == "__main__":
    main()
