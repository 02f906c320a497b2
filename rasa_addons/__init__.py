"""Components loaded by the Rasa server (``.venv-rasa``, Python 3.10, Rasa 3.6).

Nothing here imports the ``bot`` package: the Rasa side has its own old pins.
"""
