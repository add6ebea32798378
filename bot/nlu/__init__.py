"""Tabik's own Rasa NLU components (registered the Rasa 3 way, referenced from config.yml)."""
