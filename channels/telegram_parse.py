"""Telegram updates parsed into what Tabik does with them (``parse_update``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from telegram import Bot, Message, Update

from bot.adapters.media import PHOTO_TYPES, platform_ref
from bot.domain.identity import ChatIdentity
from channels.inbound import Inbound
from channels.text import intent_text, phone_to_national

logger = logging.getLogger(__name__)

# Bot commands a resident may tap in Telegram's menu, as Rasa intents.
COMMANDS = {"start": "/greet", "help": "/help", "bantuan": "/help"}


def _command(text: str) -> str:
    """``/start`` (``/start@TabikBot``, ``/start payload``) → the intent Rasa knows."""
    if not text.startswith("/"):
        return text
    word = text[1:].split(maxsplit=1)[0] if len(text) > 1 else ""
    return COMMANDS.get(word.split("@", 1)[0].lower(), text)


def _unsupported_kind(message: Message) -> str:
    if message.voice or message.video_note:
        return "voice" if message.voice else "video"
    if message.audio:
        return "audio"
    if message.sticker:
        return "sticker"
    if message.video or message.animation:
        return "video"
    if message.document:
        return "document"
    return "default"


def _photo(message: Message) -> tuple[str, str] | None:
    """The file id and declared type of a photo, or of an image sent as a file."""
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return largest.file_id, "image/jpeg"  # Telegram re-encodes every photo as JPEG
    document = message.document
    if document is not None and (document.mime_type or "") in PHOTO_TYPES:
        return document.file_id, str(document.mime_type)
    return None


def parse_message(message: Message, *, update_id: int) -> Inbound | None:
    chat = message.chat
    if chat.type != chat.PRIVATE:
        logger.info("Telegram %s chat message ignored (Tabik serves private chats)", chat.type)
        return None
    base: dict[str, Any] = {
        "sender_id": ChatIdentity(channel="telegram", account=str(chat.id)).sender_id,
        "dedupe_key": f"tg:{update_id}",
        "message_id": str(message.message_id),
        "sent_at": message.date.timestamp() if message.date else None,
    }
    metadata: dict[str, Any] = {"channel": "telegram", "message_id": message.message_id}
    if message.text:
        return Inbound(text=_command(message.text.strip()), metadata=metadata, **base)
    if message.location:
        latitude, longitude = message.location.latitude, message.location.longitude
        venue = message.venue
        metadata["location"] = {
            "latitude": latitude,
            "longitude": longitude,
            "name": venue.title if venue else None,
            "address": venue.address if venue else None,
        }
        text = intent_text("share_location", {"latitude": latitude, "longitude": longitude})
        return Inbound(text=text, metadata=metadata, **base)
    if message.contact:
        number = phone_to_national(message.contact.phone_number)
        if not number:
            return Inbound(unsupported="default", metadata=metadata, **base)
        name = " ".join(p for p in (message.contact.first_name, message.contact.last_name) if p)
        metadata["contact"] = {
            "name": name or None,
            "phone_number": number,
            # True when residents shared their own number (the "Bagikan kontak" button).
            "own": bool(message.from_user and message.contact.user_id == message.from_user.id),
        }
        return Inbound(
            text=intent_text("inform", {"phone_number": number}), metadata=metadata, **base
        )
    photo = _photo(message)
    if photo is not None:
        file_id, mime_type = photo
        attachment_id = f"tg:{file_id}"
        if not platform_ref(attachment_id):
            logger.warning("Telegram photo with an unusable file id ignored")
            return Inbound(unsupported="default", metadata=metadata, **base)
        metadata["attachment"] = {
            "kind": "photo",
            "id": attachment_id,
            "mime_type": mime_type,
            "caption": message.caption,
        }
        text = intent_text("share_photo", {"attachment_id": attachment_id})
        return Inbound(text=text, metadata=metadata, **base)
    return Inbound(unsupported=_unsupported_kind(message), metadata=metadata, **base)


def parse_update(data: Mapping[str, Any], bot: Bot) -> Inbound | None:
    """One webhook update; None for kinds that are only acknowledged."""
    update = Update.de_json(dict(data), bot)
    if update.callback_query is not None:
        query = update.callback_query
        chat = query.message.chat if query.message else None
        if chat is not None and chat.type != chat.PRIVATE:
            return None
        chat_id = chat.id if chat is not None else query.from_user.id
        metadata: dict[str, Any] = {
            "channel": "telegram",
            "message_id": query.message.message_id if query.message else None,
            "button": True,
        }
        base: dict[str, Any] = {
            "sender_id": ChatIdentity(channel="telegram", account=str(chat_id)).sender_id,
            "dedupe_key": f"tg:{update.update_id}",
            "message_id": f"cb:{query.id}",
            "metadata": metadata,
            "callback_query_id": query.id,
        }
        if not query.data:
            return Inbound(unsupported="default", **base)
        return Inbound(text=query.data, **base)
    if update.message is not None:
        return parse_message(update.message, update_id=update.update_id)
    if update.edited_message is not None:
        # An edit is not a new answer; re-running a form step on it would confuse residents.
        logger.debug("Telegram edited message acknowledged")
        return None
    if update.my_chat_member is not None:
        status = update.my_chat_member.new_chat_member.status
        logger.info("Telegram chat member status of Tabik is now %s", status)
        return None
    logger.debug("Telegram update %s of another kind acknowledged", update.update_id)
    return None
