"""Components loaded by the Rasa server (``.venv-rasa``, Python 3.10, Rasa 3.6).

Nothing here imports the ``bot`` package (the Rasa side has its own old pins) except
``bot.orders.ids``, the standard-library-only order-id normaliser (the Rasa image copies it).
Inside a Rasa process the same-result speed-ups of ``speedups`` are installed and
``log_privacy`` keeps shopper text out of the log: when Rasa imports this package (for our
channels, broker and featurizer) with Rasa already loaded, or explicitly by ``rasa_server`` (our
launcher imports this package before Rasa). Elsewhere (the 3.11 test environment) nothing
happens.
"""

import sys


def install_rasa_side() -> None:
    """Install the speed-ups and the log masking into this Rasa process (idempotent)."""
    from rasa_addons.log_privacy import install as install_log_privacy
    from rasa_addons.speedups import install

    install()
    install_log_privacy()


if "rasa" in sys.modules:
    install_rasa_side()
