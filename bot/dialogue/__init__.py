"""Conversation services: what the Rasa actions ask the shop, in the shopper's words.

Plain Python (no rasa_sdk): parsing free text into slot values, turning order-service
results into replies, choosing policy passages, deciding on a hand-off. Actions in
``actions/`` stay thin adapters over these functions.
"""
