"""Words for refusals, shared by the pages and the JSON API."""

from __future__ import annotations

from bot.domain.errors import InvalidTicketNumber, InvalidTransition, TicketNotFound
from bot.services.handoff_desk import HandoffNotFound

# A ticket or handoff outside the user's area does not exist for them (404, like no ticket).
NOT_FOUND_ERRORS = (TicketNotFound, InvalidTicketNumber, HandoffNotFound)

FIELD_ERRORS = {
    "name": "Tulis nama warga.",
    "phone": "Nomor HP tidak dikenali; tulis seperti 0812xxxxxxxx.",
    "nik": "NIK harus 16 angka yang benar.",
    "category": "Pilih kategori aduan.",
    "document_type": "Pilih jenis dokumen.",
    "description": "Tulis uraian aduan.",
    "kabupaten_kota": "Pilih kabupaten/kota di wilayah Anda.",
    "kecamatan": "Kecamatan ini di luar wilayah Anda.",
    "desa": "Desa/kelurahan ini di luar wilayah Anda.",
    "kind": "Pilih jenis: aduan atau permohonan.",
    "text": "Tulis balasan.",
    "received_at": "received_at harus tanggal ISO 8601, tidak di masa depan, "
    "paling lama 90 hari lalu.",
}
APPLICATION_NEEDS = {
    "nik": "Permohonan dokumen memerlukan NIK warga (16 angka).",
    "phone": "Permohonan dokumen memerlukan nomor HP warga.",
}


def field_error(field: str, kind: str) -> dict[str, str]:
    if kind == "application" and field in APPLICATION_NEEDS:
        return {"field": field, "text": APPLICATION_NEEDS[field]}
    return {"field": field, "text": FIELD_ERRORS.get(field, f"Periksa isian {field}.")}


def transition_sentence(error: InvalidTransition) -> str:
    """One sentence naming the allowed next statuses (or saying there are none)."""
    allowed = sorted(s.value for s in error.current.allowed_next)
    if not allowed:
        return (
            f"Status {error.current.value} sudah final; tidak dapat diubah menjadi "
            f"{error.requested.value}."
        )
    return (
        f"Status {error.current.value} tidak dapat diubah menjadi {error.requested.value}; "
        f"yang diizinkan: {' atau '.join(allowed)}."
    )
