"""Grounded free-form answers: facts, prompt, template composer, checker, the service."""

from bot.answers.service import Answer, AnswerService

__all__ = ["Answer", "AnswerService"]
