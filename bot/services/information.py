"""Information from the knowledge base: requirements, offices and their hours, emergency numbers.

Answers are read from memory (the YAML files are loaded once at start), so
these methods are plain functions, not coroutines.
"""

from __future__ import annotations

from bot.domain.knowledge import EMERGENCY_112, KnowledgeBase, Requirement
from bot.domain.office_hours import OfficeSchedule
from bot.services.shared import configured
from bot.services.views import EmergencyNumbers, OfficeListing


class Information:
    def __init__(self, knowledge: KnowledgeBase | None) -> None:
        self._knowledge = knowledge

    def _base(self) -> KnowledgeBase:
        return configured("knowledge", self._knowledge)

    def requirement(self, document_type: str) -> Requirement:
        """The checklist for a document type. UnknownDocumentType, NotConfigured."""
        return self._base().requirements(document_type)

    def offices(self, kabupaten_kota: str, *, kind: str | None = None) -> OfficeListing:
        """A kabupaten/kota's offices (of one ``kind``, e.g. ``disdukcapil``, when given).

        Disdukcapil first, then MPP, then Samsat. UnknownRegion, NotConfigured.
        """
        base = self._base()
        return OfficeListing(
            kabupaten_kota=kabupaten_kota,
            offices=tuple(base.offices(kabupaten_kota, kind)),
            region_note=base.region_note(kabupaten_kota),
        )

    def office_hours(self) -> OfficeSchedule:
        """The offices' usual schedule, the one residents are told. NotConfigured."""
        return self._base().office_schedule

    def emergency_numbers(self, kabupaten_kota: str | None) -> EmergencyNumbers:
        """Numbers to call besides 112: the region's own (when given) and the national ones."""
        contacts = self._base().emergency_numbers(kabupaten_kota)
        others = [c for c in contacts if c.number != EMERGENCY_112]
        return EmergencyNumbers(
            local=tuple(c for c in others if c.kabupaten_kota),
            national=tuple(c for c in others if not c.kabupaten_kota),
        )
