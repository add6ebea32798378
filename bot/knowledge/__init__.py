"""The knowledge base: document requirements, offices and emergency numbers.

Facts live in ``bot/data/knowledge/*.yml`` so an admin can correct them
without touching Python; :func:`load_knowledge` reads and checks them.
"""

from bot.knowledge.loader import DEFAULT_DIR, load_knowledge
from bot.knowledge.model import (
    EMERGENCY_112,
    OFFICE_KINDS,
    EmergencyContact,
    InvalidEntry,
    KnowledgeBase,
    KnowledgeError,
    KnowledgeFileError,
    MissingEntry,
    Office,
    OfficeHours,
    Requirement,
    UnknownDocumentType,
    UnknownOfficeKind,
    UnknownRegion,
)

__all__ = [
    "DEFAULT_DIR",
    "EMERGENCY_112",
    "OFFICE_KINDS",
    "EmergencyContact",
    "InvalidEntry",
    "KnowledgeBase",
    "KnowledgeError",
    "KnowledgeFileError",
    "MissingEntry",
    "Office",
    "OfficeHours",
    "Requirement",
    "UnknownDocumentType",
    "UnknownOfficeKind",
    "UnknownRegion",
    "load_knowledge",
]
