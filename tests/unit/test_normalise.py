import pytest
import yaml

from bot.domain.normalise import (
    SLANG_FILE,
    load_dictionary,
    normalise_text,
    parse_dictionary,
    squeeze_repeats,
    tokenize,
)


@pytest.mark.parametrize(
    ("typed", "standard"),
    [
        ("ktp sy udh jadi blm min?", "ktp saya sudah jadi belum admin"),
        ("gmn caranya", "bagaimana caranya"),
        ("TOLONGGG pagiii", "tolong pagi"),
        ("syarat2 nya apa", "syarat nya apa"),
        ("maaaf", "maaf"),
        ("gak jadi deh", "batal deh"),
    ],
)
def test_everyday_chat_is_normalised(typed: str, standard: str) -> None:
    assert normalise_text(typed) == standard


def test_domain_terms_are_never_rewritten() -> None:
    assert normalise_text("kk ktp kia sktm nik be mhn") == "kk ktp kia sktm nik be mhn"


def test_tokens_keep_the_offsets_of_what_was_typed() -> None:
    text = "sy mau urus KK"
    tokens = tokenize(text, load_dictionary())
    assert [(t.text, text[t.start : t.end]) for t in tokens] == [
        ("saya", "sy"),
        ("mau", "mau"),
        ("urus", "urus"),
        ("kk", "KK"),
    ]


def test_phrases_cover_the_span_of_all_their_words() -> None:
    text = "gak jadi min"
    first = tokenize(text, load_dictionary())[0]
    assert (first.text, first.start, first.end) == ("batal", 0, len("gak jadi"))


def test_punctuation_and_emoji_are_not_tokens() -> None:
    assert normalise_text("halo!!! 🙏🙏 ...") == "halo"
    assert tokenize("🙏🙏", load_dictionary()) == []


def test_squeezing_prefers_known_double_letters() -> None:
    assert squeeze_repeats("maaaaf", {"maaf"}) == "maaf"
    assert squeeze_repeats("halooo", set()) == "halo"


def test_dictionary_file_is_large_consistent_and_lower_case() -> None:
    data = yaml.safe_load(SLANG_FILE.read_text(encoding="utf-8"))
    words, keep = data["words"], set(data["keep"])
    assert len(words) + len(data["phrases"]) >= 300
    for key, value in words.items():
        assert key == key.lower() and " " not in key and key != value
        assert key not in keep
    dictionary = parse_dictionary(data)
    for value in words.values():  # normalising twice changes nothing
        assert normalise_text(value, dictionary) == normalise_text(
            normalise_text(value, dictionary), dictionary
        )
