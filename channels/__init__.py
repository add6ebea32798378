"""Messaging channels (WhatsApp Cloud API, Telegram) as Rasa input/output channels.

Transport only: verify, de-duplicate, parse into a Rasa ``UserMessage``, render
replies natively, split long text and respect the platforms' rate limits.
"""
