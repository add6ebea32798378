"""Tabik's rasa-sdk actions: one module per feature (``rasa run actions --actions actions``)."""
