from bot.domain.identity import ChatIdentity
from channels.rest import rest_sender


def test_a_rest_sender_claiming_a_whatsapp_number_stays_a_rest_identity() -> None:
    identity = ChatIdentity.from_sender_id(rest_sender("wa:6281234567890"))
    assert identity == ChatIdentity(channel="rest", account="wa:6281234567890")
    assert identity.sender_id == "rest:wa:6281234567890"
    assert identity.masked() == "rest:***890"
    assert ChatIdentity.from_sender_id(rest_sender("tg:555")).channel == "rest"


def test_platform_identities_are_read_from_their_prefix() -> None:
    assert ChatIdentity.from_sender_id("wa:6281234567890").channel == "whatsapp"
    assert ChatIdentity.from_sender_id("tg:555").channel == "telegram"
    assert rest_sender("rest:abc") == "rest:abc"
