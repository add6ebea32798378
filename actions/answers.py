"""Reading a form's answer before its intent: what clearly interrupts, what skips, what describes.

Inside a form the resident is answering a question. The NLU model, which
sees one message without the question, can give a place name ("Sidodadi",
"Way Dadi"), a name or a short reply any intent — "cancel" among them,
because "dadi" looks like "jadi". So a form reads the message as its answer
unless the words themselves say otherwise: a cancel word ends the form, a
question or a word naming another service is a digression, and everything
else is the answer. Matching input only; nothing here is shown to residents.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from bot.domain import vocabulary
from bot.domain.normalise import normalise_text

# After slang normalisation ("ga jadi", "gjd", "teu jadi" → "batal").
_CANCEL_WORDS = frozenset(
    {"batal", "batalkan", "batalin", "dibatalkan", "dibatalin", "membatalkan", "cancel", "stop",
     "stopp", "berhenti", "hentikan", "udahan", "sudahan", "sudahi", "keluar", "exit", "quit",
     "abort", "reset", "nevermind", "lupakan", "lupain"}
)  # fmt: skip
_CANCEL_PHRASES = (
    "never mind",
    "dari awal",
    "tidak sido",
    "tidak sios",
    "tidak usah dilanjut",
    "jangan dilanjut",
)
# Going back to the automatic service (leaving a handoff, or a form): whole words.
_BACK_TO_BOT = ("ke bot", "menu bot", "layanan otomatis", "tidak usah petugas")
# "tarik (aja) laporan sy": withdrawing what is being filed. "tarik" alone is no
# cancel ("tarik tunai", "kabel ditarik"); beside what is filed, within two words, it is.
_WITHDRAWN = frozenset({"laporan", "laporannya", "aduan", "aduannya", "pengaduan", "permohonan"})

# Words that make a short message a digression rather than an answer, by intent.
# A question word or "?" makes any digression intent clear.
_QUESTION_WORDS = frozenset(
    {"apa", "apakah", "gimana", "bagaimana", "kenapa", "mengapa", "dimana", "mana", "kapan",
     "berapa", "siapa", "bisakah", "bolehkah"}
)  # fmt: skip
_DIGRESSION_WORDS: Mapping[str, frozenset[str]] = {
    "help": frozenset({"menu", "bantuan", "help", "bantu", "panduan", "petunjuk", "bingung"}),
    "bot_challenge": frozenset({"bot", "robot", "mesin", "manusia"}),
    "human_handoff": frozenset({"petugas", "operator", "cs", "manusia", "orang", "pegawai"}),
    "ask_requirements": frozenset({"syarat", "persyaratan", "bawa", "berkas"}),
    "ask_office_info": frozenset(
        {"kantor", "jam", "buka", "telepon", "telp", "disdukcapil", "dukcapil", "samsat"}
    ),
    "check_status": frozenset({"status", "tiket", "cek", "nomor", "adu", "mhn"}),
}
# Up to this many words, a message with no such word is read as the answer.
SHORT_ANSWER_WORDS = 5

# An emergency always interrupts; but "Purwodadi" or "Bumi Arum" alone, read as
# one by the model, is a place. A short answer read as an emergency needs one of
# these words (after slang normalisation); longer messages do not.
EMERGENCY_CHECK_WORDS = SHORT_ANSWER_WORDS
_EMERGENCY_WORDS = frozenset(
    {"darurat", "tolong", "toloong", "help", "sos", "kebakaran", "terbakar", "kebakar", "api",
     "asap", "banjir", "bandang", "longsor", "gempa", "tsunami", "kecelakaan", "tabrakan",
     "ketabrak", "ditabrak", "kelindas", "pingsan", "sesak", "berdarah", "luka", "sekarat",
     "meninggal", "tenggelam", "hanyut", "terjebak", "tertimpa", "ketimpa", "roboh", "ambruk",
     "rampok", "perampokan", "dirampok", "begal", "dibegal", "maling", "pencuri", "copet",
     "jambret", "dijambret", "bacok", "dibacok", "tusuk", "ditusuk", "bunuh", "pembunuhan",
     "kdrt", "dipukul", "dipukuli", "ambulans", "ambulan", "ambulance", "damkar", "polisi",
     "112", "110", "113", "118", "119", "bahaya", "melahirkan", "kejang", "stroke",
     "keracunan", "racun", "ular", "buaya", "gajah", "harimau", "diculik", "penculikan",
     "ledakan", "meledak", "gas", "kesetrum", "tersetrum", "korsleting", "tumbang", "evakuasi",
     "mengungsi", "pengungsi", "kritis", "gawat", "hilang", "sadar", "napas", "nafas",
     "pendarahan", "patah", "jatuh", "kesurupan", "ngamuk", "mengamuk", "senjata", "pistol"}
)  # fmt: skip

# "tidak ada foto", "gak ada", "ga punya fotonya", "skip", "lewat", "fotonya nyusul".
_SKIP_TRIGGERS = frozenset(
    {"lewati", "lewat", "skip", "lanjut", "lanjutkan", "next", "tanpa", "tidak", "belum",
     "kosong", "nyusul", "menyusul", "usah"}
)  # fmt: skip
_SKIP_COMPANIONS = frozenset(
    {"ada", "punya", "foto", "fotonya", "gambar", "gambarnya", "dokumentasi", "perlu", "bisa",
     "sempat", "sempet", "tahu", "nanti", "saja", "aja", "ambil", "difoto", "moto", "kirim",
     "dikirim", "kamera", "hp", "saya", "aku", "kami", "itu", "ini", "nya", "yang", "lagi",
     "dulu", "sih", "deh", "dong", "ya", "yah", "nih", "kok", "admin", "pak", "bapak", "bu",
     "ibu", "kak", "kakak", "mas", "mbak", "bang", "maaf", "pun", "sudah", "gak", "desanya",
     "desa", "kelurahan", "ingat", "lupa"}
)  # fmt: skip

# "gak ada foto", "no photo", "tanpa foto"; "fotonya nyusul", "foto nanti dikirim".
_PHOTO_WORDS = frozenset({"foto", "fotonya", "gambar", "gambarnya", "photo", "pic", "dokumentasi"})
_PHOTO_NONE = frozenset({"tidak", "tanpa", "no", "belum", "kosong"})
_PHOTO_LATER = frozenset({"nyusul", "menyusul", "nanti", "belakangan", "besok", "susul", "later"})
PHOTO_NONE, PHOTO_LATER = "-", "nanti"
# "rahasiakan aja", "identitas saya dirahasiakan", "anonim"; "boleh sebut nama saya".
_PRIVATE_WORDS = frozenset(
    {"rahasiakan", "dirahasiakan", "rahasia", "rahasiain", "dirahasiain", "anonim", "anonymous",
     "anonimkan", "samarkan", "disamarkan"}
)  # fmt: skip
_SHARED_PHRASES = (
    "boleh diketahui",
    "tidak usah dirahasiakan",
    "tidak perlu dirahasiakan",
    "tidak dirahasiakan",
    "tidak rahasia",
    "boleh sebut nama",
    "boleh disebut",
)

# Words of an opening message that ask to complain rather than say what happened.
_REQUEST_WORDS = frozenset(
    {"mau", "ingin", "pengen", "pingin", "akan", "lapor", "laporkan", "melaporkan", "laporin",
     "ngelaporin", "melapor", "laporan", "aduan", "adukan", "mengadu", "ngadu", "pengaduan",
     "komplain", "complain", "keluhan", "mengeluh", "mengeluhkan", "buat", "bikin", "membuat",
     "saya", "aku", "kami", "admin", "pak", "bapak", "bu", "ibu", "kak", "kakak", "mas",
     "mbak", "bang", "tolong", "mohon", "dong", "ya", "nih", "sih", "deh", "ini", "itu", "di",
     "ke", "dari", "yang", "dan", "ada", "soal", "tentang", "mengenai", "permisi", "halo",
     "hai", "assalamualaikum", "salam", "selamat", "pagi", "siang", "sore", "malam", "baru",
     "tanya", "nanya", "bisa", "boleh", "gimana", "caranya", "cara", "masalah", "sama"}
)  # fmt: skip
# An opening message with at least this many other words says what happened.
DESCRIPTION_MIN_WORDS = 4


def words(text: str) -> list[str]:
    """The message's words after slang normalisation ("gak" → "tidak", "bolong2" → "bolong")."""
    return normalise_text(text or "").split()


def says_cancel(text: str) -> bool:
    """True when the message itself asks to stop ("batal", "ga jadi", "stop dulu")."""
    if text.strip().startswith("/cancel"):
        return True
    found = words(text)
    joined = " ".join(found)
    withdrawn = any(
        word == "tarik" and _WITHDRAWN & set(found[i + 1 : i + 4]) for i, word in enumerate(found)
    )
    back = any(f" {phrase} " in f" {joined} " for phrase in _BACK_TO_BOT)
    return (
        bool(set(found) & _CANCEL_WORDS)
        or any(p in joined for p in _CANCEL_PHRASES)
        or withdrawn
        or back
    )


def _without_trailing_place(text: str) -> str:
    """ "Kelapa Tiga Permai, tanjung karang pusat" → "Kelapa Tiga Permai"."""
    head, _, tail = text.rpartition(",")
    if head and (vocabulary.find_kecamatan(tail) or vocabulary.canonical_region(tail)):
        return head
    return text


def says_emergency(text: str) -> bool:
    """False only for a short message with no emergency word ("Purwodadi")."""
    found = words(text)
    short = len(words(_without_trailing_place(text))) <= EMERGENCY_CHECK_WORDS
    return not short or bool(set(found) & _EMERGENCY_WORDS)


def is_short_answer(text: str) -> bool:
    return len(words(_without_trailing_place(text))) <= SHORT_ANSWER_WORDS and "?" not in text


def names_digression(intent: str | None, text: str) -> bool:
    """True when a short message carries a word of the digression its intent names."""
    found = set(words(text))
    if "?" in text or found & _QUESTION_WORDS:
        return True
    return bool(found & _DIGRESSION_WORDS.get(intent or "", frozenset()))


def says_skip(text: str) -> bool:
    """True for the ways of saying "no"/"skip" to an optional question."""
    stripped = (text or "").strip()
    if stripped in {"-", "--", "x"}:
        return True
    found = words(stripped)
    if not found or not set(found) & _SKIP_TRIGGERS:
        return False
    return all(word in _SKIP_TRIGGERS or word in _SKIP_COMPANIONS for word in found)


# "nama saya Siti Aminah, nik …", "atas nama Budi Santoso": a name said in any message.
_STATED_NAME = re.compile(
    r"\b(?:nama\s+(?:lengkap\s+)?(?:saya|sy|aku|ku)|namaku|nama\s+lengkap|atas\s+nama"
    # A bare "nama Budi Santoso", unless it names someone or something else ("nama
    # anaknya …", "nama desanya …") or asks ("nama siapa").
    r"|nama(?=\s*:|\s+(?!\w*nya\b)(?!(?:anak|ibu|ayah|bapak|suami|istri|orang|ortu|almarhum|alm"
    r"|jalan|jln|desa|kampung|pekon|kelurahan|kecamatan|kabupaten|kota|sekolah|kantor"
    r"|dokumen|lengkap|siapa|apa)\b)))"
    r"\s*(?:adalah|:)?\s*(?P<name>[^\W\d_][^\W\d_.'\- ]*(?:[.'\- ]+[^\W\d_]+){0,5})",
    re.IGNORECASE,
)
# Words that end a name said inside a longer message.
_AFTER_NAME = frozenset(
    """nik no nomor hp wa telp telepon dan di dari mau ingin pengen untuk utk buat tinggal
    alamat ktp kk yang yg lahir ingin minta mohon tolong""".split()
)


def stated_name(text: str) -> str | None:
    """The resident's name when the message says it ("nama saya Siti Aminah, …"), else None."""
    match = _STATED_NAME.search(text or "")
    if not match:
        return None
    kept: list[str] = []
    for word in match.group("name").split():
        if word.lower().strip(".,") in _AFTER_NAME:
            break
        kept.append(word)
    return " ".join(kept) or None


def photo_choice(text: str) -> str | None:
    """ "-" for no photo, "nanti" for one sent later, None when the message says neither."""
    found = words(text)
    for i, word in enumerate(found):
        if word not in _PHOTO_WORDS:
            continue
        near = set(found[max(0, i - 3) : i + 4])
        if near & _PHOTO_LATER:
            return PHOTO_LATER
        if set(found[max(0, i - 3) : i]) & _PHOTO_NONE:
            return PHOTO_NONE
    return None


def privacy_choice(text: str) -> bool | None:
    """True for "keep me anonymous", False for "you may know who I am", None otherwise."""
    joined = " ".join(words(text))
    if any(phrase in joined for phrase in _SHARED_PHRASES):
        return False
    return True if set(joined.split()) & _PRIVATE_WORDS else None


def describes_problem(text: str, entities: Iterable[Mapping[str, Any]] = ()) -> bool:
    """True when an opening message says what happened, not only "I want to complain".

    "jalan di depan sekolah saya bolong2 parah" describes; "mau lapor jalan
    rusak min" and "lapor jalan rusak di Baradatu" do not (places are not the
    problem: they are asked for separately).
    """
    if (text or "").strip().startswith("/"):
        return False
    kept = text
    for entity in entities:
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") in {"kabupaten_kota", "kecamatan", "desa"} and (
            isinstance(start, int) and isinstance(end, int)
        ):
            kept = kept[:start] + " " * (end - start) + kept[end:]
    place_words = {
        word
        for entity in entities
        if entity.get("entity") in {"kabupaten_kota", "kecamatan", "desa"}
        for word in words(str(entity.get("value") or ""))
    }
    content = [w for w in words(kept) if w not in _REQUEST_WORDS and w not in place_words]
    return len(content) >= DESCRIPTION_MIN_WORDS
