"""Real kelurahan/desa of Lampung, by kecamatan, for tests of answers to place questions.

Written from knowledge of the province, not taken from the training data
(several are deliberately absent from it). Many look like other words to a
model: "Sidodadi", "Way Dadi", "Yosodadi" (~ "gak jadi"), "Surabaya",
"Yogyakarta", "Kediri" (Javanese colonists named villages after home),
"Kedaton" (a desa of Kalianda as well as a kecamatan of Bandar Lampung).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kecamatan:
    name: str
    region: str  # official kabupaten/kota name
    region_typed: str  # how a resident names the region
    prefix: str  # what residents put before a desa name there
    desa: tuple[str, ...]


KECAMATAN: tuple[Kecamatan, ...] = (
    Kecamatan(
        "Kedaton", "Bandar Lampung", "balam", "kel",
        ("Sidodadi", "Surabaya", "Sukamenanti", "Sukamenanti Baru", "Penengahan",
         "Penengahan Raya", "Kedaton"),
    ),
    Kecamatan(
        "Rajabasa", "Bandar Lampung", "bandar lampung", "kelurahan",
        ("Rajabasa", "Rajabasa Raya", "Rajabasa Jaya", "Rajabasa Nunyai", "Rajabasa Pemuka",
         "Gedong Meneng", "Gedong Meneng Baru"),
    ),
    Kecamatan(
        "Tanjung Karang Pusat", "Bandar Lampung", "bdl", "kel.",
        ("Durian Payung", "Gotong Royong", "Kaliawi", "Kaliawi Persada", "Kelapa Tiga",
         "Kelapa Tiga Permai", "Palapa", "Pasir Gintung"),
    ),
    Kecamatan(
        "Sukarame", "Bandar Lampung", "balam", "kel",
        ("Sukarame", "Sukarame Baru", "Way Dadi", "Way Dadi Baru", "Korpri Jaya",
         "Korpri Raya"),
    ),
    Kecamatan(
        "Way Halim", "Bandar Lampung", "bandar lampung", "kelurahan",
        ("Way Halim Permai", "Jagabaya I", "Jagabaya II", "Jagabaya III", "Gunung Sulah",
         "Perumnas Way Halim"),
    ),
    Kecamatan(
        "Metro Pusat", "Metro", "metro", "kelurahan",
        ("Hadimulyo Barat", "Hadimulyo Timur", "Imopuro", "Metro", "Yosomulyo"),
    ),
    Kecamatan(
        "Metro Timur", "Metro", "kota metro", "kel",
        ("Iringmulyo", "Yosodadi", "Yosorejo", "Tejoagung", "Tejosari"),
    ),
    Kecamatan(
        "Metro Selatan", "Metro", "metro", "kel",
        ("Margodadi", "Margorejo", "Rejomulyo", "Sumbersari"),
    ),
    Kecamatan(
        "Kalianda", "Lampung Selatan", "lamsel", "desa",
        ("Way Urang", "Bumi Agung", "Kedaton", "Merak Belantung", "Canti", "Maja",
         "Way Lubuk", "Agom", "Tajimalela"),
    ),
    Kecamatan(
        "Natar", "Lampung Selatan", "lampung selatan", "desa",
        ("Hajimena", "Merak Batin", "Branti Raya", "Candimas", "Negara Ratu", "Pemanggilan",
         "Muara Putih", "Rulung Raya", "Sidosari"),
    ),
    Kecamatan(
        "Gunung Sugih", "Lampung Tengah", "lamteng", "kampung",
        ("Gunung Sugih Raya", "Komering Putih", "Bangun Rejo", "Terbanggi Subing",
         "Buyut Udik", "Wono Sari", "Seputih Jaya"),
    ),
    Kecamatan(
        "Terbanggi Besar", "Lampung Tengah", "lampung tengah", "kampung",
        ("Yukum Jaya", "Poncowati", "Nambah Dadi", "Indra Putra Subing", "Karang Endah",
         "Bandar Jaya Barat"),
    ),
    Kecamatan(
        "Kotabumi", "Lampung Utara", "lampura", "kelurahan",
        ("Kotabumi Ilir", "Kotabumi Udik", "Kotabumi Pasar", "Kotabumi Tengah", "Rejosari",
         "Cempedak", "Sindang Sari"),
    ),
    Kecamatan(
        "Kotabumi Selatan", "Lampung Utara", "lampung utara", "kel",
        ("Kelapa Tujuh", "Tanjung Harapan", "Tanjung Senang", "Mulang Maya", "Sribasuki",
         "Kota Alam"),
    ),
    Kecamatan(
        "Pringsewu", "Pringsewu", "pringsewu", "pekon",
        ("Pringsewu Barat", "Pringsewu Timur", "Pringsewu Utara", "Fajar Agung", "Pajaresuk",
         "Bumi Arum", "Podomoro", "Waluyojati", "Sidoharjo"),
    ),
    Kecamatan(
        "Gading Rejo", "Pringsewu", "pringsewu", "pekon",
        ("Wonodadi", "Tambahrejo", "Blitarejo", "Bulukarto", "Kediri", "Yogyakarta",
         "Klaten"),
    ),
    Kecamatan(
        "Gisting", "Tanggamus", "tanggamus", "pekon",
        ("Gisting Atas", "Gisting Bawah", "Purwodadi", "Banjar Manis"),
    ),
    Kecamatan(
        "Gedong Tataan", "Pesawaran", "pesawaran", "desa",
        ("Bagelen", "Sukadadi", "Bernung", "Wiyono", "Kurungan Nyawa", "Cipadang"),
    ),
    Kecamatan(
        "Pekalongan", "Lampung Timur", "lamtim", "desa",
        ("Pekalongan", "Sidodadi", "Adirejo", "Gantimulyo", "Tulus Rejo"),
    ),
    Kecamatan(
        "Menggala", "Tulang Bawang", "tuba", "kelurahan",
        ("Menggala Kota", "Menggala Tengah", "Ujung Gunung", "Bugis", "Tiuh Tohou"),
    ),
    Kecamatan(
        "Blambangan Umpu", "Way Kanan", "way kanan", "kampung",
        ("Blambangan Umpu", "Karang Umpu", "Negeri Baru", "Sidoarjo", "Gunung Sari"),
    ),
    Kecamatan(
        "Balik Bukit", "Lampung Barat", "lambar", "pekon",
        ("Pasar Liwa", "Way Mengaku", "Sebarus", "Padang Cahya", "Gunung Sugih"),
    ),
    Kecamatan(
        "Pesisir Tengah", "Pesisir Barat", "pesibar", "pekon",
        ("Pasar Krui", "Pahmungan", "Way Napal", "Rawas", "Seray"),
    ),
    Kecamatan(
        "Tulang Bawang Tengah", "Tulang Bawang Barat", "tubaba", "tiyuh",
        ("Panaragan", "Panaragan Jaya", "Mulya Asri", "Penumangan", "Candra Kencana"),
    ),
    Kecamatan(
        "Mesuji", "Mesuji", "mesuji", "desa",
        ("Wiralaga", "Sungai Badak", "Nipah Kuning"),
    ),
)  # fmt: skip


def spellings(kecamatan: Kecamatan, desa: str) -> list[tuple[str, str]]:
    """(typed, expected name) pairs: the ways residents type one desa name."""
    expected = desa
    return [
        (desa, expected),
        (desa.lower(), expected),
        (desa.upper(), expected),
        (f"{kecamatan.prefix} {desa.lower()}", expected),
        (f"{desa.lower()} min", expected),
        (f"di {desa} kak", expected),
        (f"{desa}, {kecamatan.name.lower()}", expected),
    ]


def every_spelling() -> list[tuple[Kecamatan, str, str]]:
    return [(k, typed, name) for k in KECAMATAN for d in k.desa for typed, name in spellings(k, d)]


def every_desa() -> list[tuple[Kecamatan, str]]:
    return [(k, d) for k in KECAMATAN for d in k.desa]
