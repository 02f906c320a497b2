"""Components loaded by the Rasa server (``.venv-rasa``, Python 3.10, Rasa 3.6).

Nothing here imports the ``bot`` package: the Rasa side has its own old pins. Inside a Rasa
process (Rasa imports this package for our channels, broker and featurizer), the same-result
speed-ups of ``speedups`` are installed, and ``log_privacy`` keeps shopper text out of the
log; elsewhere (the 3.11 test environment) nothing happens.
"""

import sys

if "rasa" in sys.modules:
    from rasa_addons.log_privacy import install as install_log_privacy
    from rasa_addons.speedups import install

    install()
    install_log_privacy()
