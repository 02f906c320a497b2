"""Evaluation harnesses that drive the running product from outside (never imported by it)."""
