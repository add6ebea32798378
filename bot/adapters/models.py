"""The one pydantic base for data Tabik reads from outside: YAML files, upstream JSON."""

from __future__ import annotations

from pydantic import BaseModel


class StrictModel(BaseModel):
    """Frozen; texts trimmed and never empty. Subclasses say what an unknown key means."""

    class Config:
        allow_mutation = False
        anystr_strip_whitespace = True
        min_anystr_length = 1
