"""WhatsApp Cloud API webhooks: the signature check and the parser of Meta's deliveries.

The signature is always HMAC-SHA256 of the raw body with the app secret,
compared in constant time; a header naming another hash is simply wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.adapters.media import PHOTO_TYPES, platform_ref
from bot.domain.identity import ChatIdentity
from channels.inbound import Inbound
from channels.text import intent_text, phone_to_national

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is ``sha256=<hex HMAC-SHA256 of body>`` with the app secret.

    The algorithm is fixed: a header naming another hash is simply wrong.
    """
    if not header or not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    given = header[len(SIGNATURE_PREFIX) :].strip().lower()
    return hmac.compare_digest(expected.encode("ascii"), given.encode("ascii", "replace"))


def sign(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta would send for ``body`` (tests, tools)."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _timestamp(value: Any) -> float | None:
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if math.isfinite(seconds) else None


def parse_message(message: Mapping[str, Any]) -> Inbound | None:
    """One entry of ``value.messages[]``; None for what needs no answer at all."""
    wa_id, message_id, kind = message.get("from"), message.get("id"), message.get("type")
    if not wa_id or not message_id:
        logger.warning("WhatsApp message without sender or id ignored (type %s)", kind)
        return None
    base: dict[str, Any] = {
        "sender_id": ChatIdentity(channel="whatsapp", account=str(wa_id)).sender_id,
        "dedupe_key": f"wa:{message_id}",
        "message_id": str(message_id),
        "sent_at": _timestamp(message.get("timestamp")),
    }
    metadata: dict[str, Any] = {"channel": "whatsapp", "message_id": str(message_id)}

    if message.get("group_id") not in (None, ""):
        # Tabik serves private chats: an answer would go to the sender's own chat, out of
        # the group's context, and a group may hold many residents.
        logger.info("WhatsApp group message %s ignored", message_id)
        return None

    if kind == "revoke" or (
        kind == "unsupported" and _dict(message.get("unsupported")).get("type") == "revoke"
    ):
        logger.info("WhatsApp message deleted by its sender; nothing to answer")
        return None

    if kind == "edit":
        return _edited(message, wa_id=str(wa_id), message_id=str(message_id))

    if kind == "text":
        body = str(_dict(message.get("text")).get("body") or "").strip()
        return Inbound(text=body, metadata=metadata, **base) if body else None

    if kind == "interactive":
        interactive = _dict(message.get("interactive"))
        reply = _dict(interactive.get(str(interactive.get("type"))))
        if reply.get("id"):
            return Inbound(text=str(reply["id"]), metadata={**metadata, "button": True}, **base)
        return Inbound(unsupported="default", metadata=metadata, **base)

    if kind == "button":  # quick-reply button of a template message
        button = _dict(message.get("button"))
        payload = button.get("payload") or button.get("text")
        if payload:
            return Inbound(text=str(payload), metadata={**metadata, "button": True}, **base)
        return Inbound(unsupported="default", metadata=metadata, **base)

    if kind == "location":
        location = _dict(message.get("location"))
        try:
            latitude, longitude = float(location["latitude"]), float(location["longitude"])
        except (KeyError, TypeError, ValueError):
            return Inbound(unsupported="default", metadata=metadata, **base)
        metadata["location"] = {
            "latitude": latitude,
            "longitude": longitude,
            "name": location.get("name"),
            "address": location.get("address"),
        }
        text = intent_text("share_location", {"latitude": latitude, "longitude": longitude})
        return Inbound(text=text, metadata=metadata, **base)

    if kind in ("image", "document"):
        media = _dict(message.get(str(kind)))
        photo = kind == "image" or str(media.get("mime_type") or "") in PHOTO_TYPES
        if not photo:
            return Inbound(unsupported="document", metadata=metadata, **base)
        media_id = media.get("id")
        # Media ids are numbers; anything else was not made by Meta for this message.
        if not isinstance(media_id, (str, int)) or not platform_ref(f"wa:{media_id}"):
            logger.warning("WhatsApp %s %s without a usable media id ignored", kind, message_id)
            return Inbound(unsupported="default", metadata=metadata, **base)
        attachment_id = f"wa:{media_id}"
        metadata["attachment"] = {
            "kind": "photo",
            "id": attachment_id,
            "mime_type": media.get("mime_type"),
            "caption": media.get("caption"),
        }
        text = intent_text("share_photo", {"attachment_id": attachment_id})
        return Inbound(text=text, metadata=metadata, **base)

    if kind == "contacts":
        for contact in _dicts(message.get("contacts")):
            for phone in _dicts(contact.get("phones")):
                # A number not on WhatsApp has no wa_id, only the typed phone.
                number = phone_to_national(str(phone.get("wa_id") or phone.get("phone") or ""))
                if number:
                    metadata["contact"] = {
                        "name": _dict(contact.get("name")).get("formatted_name"),
                        "phone_number": number,
                    }
                    text = intent_text("inform", {"phone_number": number})
                    return Inbound(text=text, metadata=metadata, **base)
        return Inbound(unsupported="default", metadata=metadata, **base)

    if kind == "audio":
        voice = bool(_dict(message.get("audio")).get("voice"))
        return Inbound(unsupported="voice" if voice else "audio", metadata=metadata, **base)

    if kind in ("sticker", "video"):
        return Inbound(unsupported=str(kind), metadata=metadata, **base)

    if kind == "reaction":
        if not _dict(message.get("reaction")).get("emoji"):
            return None  # a reaction was removed: nothing to answer
        return Inbound(unsupported="reaction", metadata=metadata, **base)

    if kind == "system":  # e.g. the resident changed number; nothing to answer
        logger.info("WhatsApp system message %s ignored", message_id)
        return None

    return Inbound(unsupported="default", metadata=metadata, **base)


def _edited(message: Mapping[str, Any], *, wa_id: str, message_id: str) -> Inbound | None:
    """An edit (``type: edit``): the corrected message, read in place of its original
    while that one still waits (``amends``), otherwise as a new message."""
    edit = _dict(message.get("edit"))
    original = edit.get("original_message_id")
    corrected = _dict(edit.get("message"))
    if not isinstance(original, str) or not original or corrected.get("type") in (None, "edit"):
        logger.warning("WhatsApp edit %s without its original or new content ignored", message_id)
        return None
    parsed = parse_message(
        {**corrected, "from": wa_id, "id": message_id, "timestamp": message.get("timestamp")}
    )
    if parsed is None:
        return None
    return replace(
        parsed,
        amends=f"wa:{original}",
        metadata={**parsed.metadata, "edit_of": original},
    )


def log_status(status: Mapping[str, Any]) -> None:
    """Delivery receipts: failures are an operator's business, never a resident's."""
    recipient = ChatIdentity(channel="whatsapp", account=str(status.get("recipient_id"))).masked()
    if status.get("status") == "failed":
        errors = [
            f"{e.get('code')} {e.get('title') or e.get('message') or ''}".strip()
            for e in _dicts(status.get("errors"))
        ]
        logger.warning(
            "WhatsApp message %s to %s failed: %s",
            status.get("id"),
            recipient,
            "; ".join(errors) or "no reason given",
        )
    else:
        logger.debug(
            "WhatsApp message %s to %s: %s", status.get("id"), recipient, status.get("status")
        )


def parse_webhook(payload: Mapping[str, Any], *, phone_number_id: str) -> list[Inbound]:
    """Every message of a (possibly batched) delivery, in the order residents sent them.

    Statuses are logged; changes for another phone number of the same business
    account are ignored (they are not ours to answer).
    """
    inbound: list[Inbound] = []
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            if change.get("field") != "messages":
                logger.debug("WhatsApp change %s ignored", change.get("field"))
                continue
            value = _dict(change.get("value"))
            number = str(_dict(value.get("metadata")).get("phone_number_id") or "")
            if number and number != phone_number_id:
                logger.warning("WhatsApp delivery for another phone number id ignored")
                continue
            for error in _dicts(value.get("errors")):
                logger.warning(
                    "WhatsApp webhook error %s: %s",
                    error.get("code"),
                    error.get("title") or error.get("message"),
                )
            for status in _dicts(value.get("statuses")):
                log_status(status)
            for message in _dicts(value.get("messages")):
                parsed = parse_message(message)
                if parsed is not None:
                    inbound.append(parsed)
    # Stable: messages with equal timestamps keep the platform's order.
    return sorted(inbound, key=lambda m: m.sent_at or 0.0)
