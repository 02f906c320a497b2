"""Tokenise texts with MixedTokenizer and WhitespaceTokenizer, in the Rasa environment.

``python tests/nlu/check_mixed_tokenizer.py < texts.json`` prints, as its last line, a JSON
list with, per text, both tokenisations as [text, start, end] triples.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys


def main() -> None:
    texts = json.load(sys.stdin)
    with contextlib.redirect_stdout(io.StringIO()):
        logging.disable(logging.WARNING)
        from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
        from rasa.shared.nlu.training_data.message import Message

        from rasa_addons.mixed_tokenizer import MixedTokenizer

        mixed = MixedTokenizer(MixedTokenizer.get_default_config())
        plain = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())

        def run(tokenizer: WhitespaceTokenizer, text: str) -> list[list[object]]:
            tokens = tokenizer.tokenize(Message(data={"text": text}), "text")
            return [[t.text, t.start, t.end] for t in tokens]

        rows = [{"mixed": run(mixed, t), "whitespace": run(plain, t)} for t in texts]
    print(json.dumps(rows, ensure_ascii=False))


if __name__ == "__main__":
    main()
