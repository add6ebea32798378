"""The base of the adapters' errors that keep their parts as fields."""

from __future__ import annotations

from typing import ClassVar


class FieldsError(Exception):
    """An error whose parts are attributes and whose message is ``template`` filled with them.

    Subclasses are ``@dataclass(eq=False)``: ``eq=False`` keeps an exception hashable and
    compared by identity; raised as ``Sub(a, b)`` its ``args`` stay ``(a, b)``, so it pickles.
    """

    template: ClassVar[str]

    def __str__(self) -> str:
        return self.template.format_map(vars(self))
