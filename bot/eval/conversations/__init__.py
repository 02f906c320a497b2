"""The scripted-shopper conversation suite on the τ-bench retail tasks (issue 16, "Measured").

A shopper derived from each task (``goal``) talks to the running stack over Rasa's REST channel
(``shopper``); the end state of the shop database is scored against the task's reference writes
replayed on the source JSON (``tau``, ``score``). ``run`` drives a split and writes the reports.
Nothing in the product imports this package, and it never imports ``rasa_sdk``.
"""
