"""Photos downloaded from the platform into the media folder: the platform's hosts only,
JPEG/PNG/WebP told by their bytes, up to 5 MB, a full disk refused cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.adapters.media import MAX_MEDIA_BYTES, MediaRefused, PlatformMedia, image_type
from bot.config import TelegramSettings, WhatsAppSettings
from tests.auxil import fake_telegram, fake_whatsapp
from tests.auxil.fake_telegram import FakeBotApi
from tests.auxil.fake_whatsapp import JPEG, PNG, SVG, WEBP, FakeGraphApi


@pytest.fixture
async def graph(aiohttp_server: Any) -> tuple[FakeGraphApi, str]:
    fake = FakeGraphApi()
    server = await aiohttp_server(fake.app())
    return fake, str(server.make_url(f"/{fake_whatsapp.API_VERSION}")).rstrip("/")


@pytest.fixture
async def elsewhere(aiohttp_server: Any) -> tuple[list[dict[str, Any]], int]:
    """A host that is not the platform's: it records whatever reaches it."""
    seen: list[dict[str, Any]] = []

    async def anything(request: web.Request) -> web.Response:
        seen.append({"path": request.path, "headers": dict(request.headers)})
        return web.Response(body=JPEG, content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/{tail:.*}", anything)
    server = await aiohttp_server(app)
    return seen, int(server.port)


def whatsapp_media(api_base: str, media_dir: Path, **settings: Any) -> PlatformMedia:
    return PlatformMedia(
        media_dir,
        whatsapp=WhatsAppSettings(
            verify_token="v",
            app_secret="s",
            access_token=fake_whatsapp.ACCESS_TOKEN,
            phone_number_id=fake_whatsapp.PHONE_NUMBER_ID,
            api_base=api_base,
            **settings,
        ),
    )


@pytest.mark.parametrize(
    ("body", "declared", "kind"),
    [(JPEG, "image/jpeg", "image/jpeg"), (PNG, "image/png", "image/png"),
     (WEBP, "image/webp", "image/webp"), (PNG, "image/jpeg", "image/png")],
)  # fmt: skip
async def test_a_photo_is_downloaded_once_and_typed_by_its_bytes(
    graph: tuple[FakeGraphApi, str], tmp_path: Path, body: bytes, declared: str, kind: str
) -> None:
    fake, api_base = graph
    media_id = fake.upload(body, declared)
    photos = whatsapp_media(api_base, tmp_path / "media")

    kept = await photos.download(f"wa:{media_id}")
    again = await photos.download(f"wa:{media_id}")

    assert kept.mime_type == kind and kept.path.read_bytes() == body
    assert again == kept and photos.stored(f"wa:{media_id}") == kept
    assert len(fake.media_requests) == 2  # the lookup and the download, once


@pytest.mark.parametrize(
    ("body", "declared"),
    [(SVG, "image/svg+xml"), (b"<html><script>x</script></html>", "image/jpeg"),
     (b"%PDF-1.4", "application/pdf"), (b"", "image/png")],
)  # fmt: skip
async def test_anything_but_jpeg_png_webp_bytes_is_refused_and_not_kept(
    graph: tuple[FakeGraphApi, str], tmp_path: Path, body: bytes, declared: str
) -> None:
    fake, api_base = graph
    media_id = fake.upload(body, declared)
    with pytest.raises(MediaRefused) as refused:
        await whatsapp_media(api_base, tmp_path / "media").download(f"wa:{media_id}")
    assert refused.value.reason == "not_image"
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").iterdir())


async def test_a_photo_over_the_cap_is_refused(
    graph: tuple[FakeGraphApi, str], tmp_path: Path
) -> None:
    fake, api_base = graph
    media_id = fake.upload(JPEG + b"x" * MAX_MEDIA_BYTES)
    with pytest.raises(MediaRefused) as refused:
        await whatsapp_media(api_base, tmp_path).download(f"wa:{media_id}")
    assert refused.value.reason == "too_large"


@pytest.mark.parametrize("ref", ["wa:../../v21.0/me", "wa:abc", "wa:", "rest:1", "tg:a/b", "x"])
async def test_a_reference_no_platform_made_is_never_asked_for(
    graph: tuple[FakeGraphApi, str], tmp_path: Path, ref: str
) -> None:
    fake, api_base = graph
    with pytest.raises(MediaRefused) as refused:
        await whatsapp_media(api_base, tmp_path).download(ref)
    assert refused.value.reason == "unavailable"
    assert fake.media_requests == []


async def test_an_id_the_platform_does_not_know_is_unavailable(
    graph: tuple[FakeGraphApi, str], tmp_path: Path
) -> None:
    _, api_base = graph
    with pytest.raises(MediaRefused) as refused:
        await whatsapp_media(api_base, tmp_path).download("wa:4040404")
    assert refused.value.reason == "unavailable"


async def test_a_media_url_on_another_host_gets_no_request_and_no_token(
    graph: tuple[FakeGraphApi, str], elsewhere: tuple[list[dict[str, Any]], int], tmp_path: Path
) -> None:
    fake, api_base = graph
    seen, port = elsewhere
    fake.media_url_override = f"http://localhost:{port}/steal"  # not 127.0.0.1, not listed
    media_id = fake.upload()
    with pytest.raises(MediaRefused) as refused:
        await whatsapp_media(api_base, tmp_path).download(f"wa:{media_id}")
    assert refused.value.reason == "host"
    assert seen == []


async def test_a_listed_media_host_is_downloaded_from(
    graph: tuple[FakeGraphApi, str], elsewhere: tuple[list[dict[str, Any]], int], tmp_path: Path
) -> None:
    fake, api_base = graph
    seen, port = elsewhere
    fake.media_url_override = f"http://localhost:{port}/cdn"
    media_id = fake.upload()
    photos = whatsapp_media(api_base, tmp_path, media_hosts="cdn.example, localhost")
    assert (await photos.download(f"wa:{media_id}")).mime_type == "image/jpeg"
    assert len(seen) == 1


async def test_a_redirect_to_another_host_is_not_followed(
    aiohttp_server: Any, elsewhere: tuple[list[dict[str, Any]], int], tmp_path: Path
) -> None:
    seen, port = elsewhere

    async def info(request: web.Request) -> web.Response:
        return web.json_response({"url": f"http://{request.host}/file", "mime_type": "image/jpeg"})

    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://localhost:{port}/stolen")

    app = web.Application()
    app.router.add_get("/v21.0/{id}", info)
    app.router.add_get("/file", moved)
    server = await aiohttp_server(app)
    with pytest.raises(MediaRefused) as refused:
        await whatsapp_media(str(server.make_url("/v21.0")), tmp_path).download("wa:123")
    assert refused.value.reason == "unavailable"
    assert seen == []


async def test_a_full_disk_is_refused_as_storage(
    graph: tuple[FakeGraphApi, str], tmp_path: Path
) -> None:
    fake, api_base = graph
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the media folder should be")
    with pytest.raises(MediaRefused) as refused:
        await whatsapp_media(api_base, blocked).download(f"wa:{fake.upload()}")
    assert refused.value.reason == "storage"


async def test_a_telegram_photo_comes_through_get_file_on_the_api_base(
    aiohttp_server: Any, tmp_path: Path
) -> None:
    fake = FakeBotApi()
    server = await aiohttp_server(fake.app())
    fake.upload("AgACAgIAAxk-file_1", JPEG)
    photos = PlatformMedia(
        tmp_path,
        telegram=TelegramSettings(
            bot_token=fake_telegram.BOT_TOKEN,
            secret_token=fake_telegram.SECRET_TOKEN,
            api_base=str(server.make_url("")).rstrip("/"),
        ),
    )
    kept = await photos.download("tg:AgACAgIAAxk-file_1")
    assert kept.mime_type == "image/jpeg" and kept.path.read_bytes() == JPEG
    with pytest.raises(MediaRefused):
        await photos.download("tg:unknown")


def test_image_type_reads_only_the_three_kept_formats() -> None:
    assert [image_type(b) for b in (JPEG, PNG, WEBP, SVG, b"GIF89a", b"RIFF")] == [
        "image/jpeg", "image/png", "image/webp", None, None, None,
    ]  # fmt: skip
