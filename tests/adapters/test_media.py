"""Photos fetched from the Graph API into the media directory: images up to 5 MB only."""

from __future__ import annotations

import pytest
from aiohttp import web

from bot.adapters.media import MAX_MEDIA_BYTES, MediaRefused, PlatformMedia
from bot.config import Settings


@pytest.fixture
async def graph(aiohttp_server):
    files = {
        "111": ("image/jpeg", b"\xff\xd8 photo"),
        "222": ("application/pdf", b"%PDF-1.4"),
        "333": ("image/png", b"x" * (MAX_MEDIA_BYTES + 10)),
    }

    async def info(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer token":
            return web.json_response({"error": {"code": 190}}, status=401)
        media_id = request.match_info["id"]
        if media_id not in files:
            return web.json_response({"error": {"code": 100}}, status=404)
        kind, _ = files[media_id]
        url = f"http://{request.host}/download/{media_id}"
        return web.json_response({"url": url, "mime_type": kind})  # no size: checked on download

    async def download(request: web.Request) -> web.Response:
        kind, body = files[request.match_info["id"]]
        return web.Response(body=body, content_type=kind)

    app = web.Application()
    app.router.add_get("/v21.0/{id}", info)
    app.router.add_get("/download/{id}", download)
    return await aiohttp_server(app)


def media(graph, tmp_path) -> PlatformMedia:
    settings = Settings.from_env(
        {
            "WHATSAPP_VERIFY_TOKEN": "v",
            "WHATSAPP_APP_SECRET": "s",
            "WHATSAPP_ACCESS_TOKEN": "token",
            "WHATSAPP_PHONE_NUMBER_ID": "1",
            "WHATSAPP_API_BASE": str(graph.make_url("/v21.0")),
        }
    )
    return PlatformMedia(settings, tmp_path / "media")


async def test_an_image_is_fetched_once_and_kept(graph, tmp_path):
    photos = media(graph, tmp_path)
    assert photos.cached("wa:111") is None
    path, kind = await photos.fetch("wa:111")
    assert kind == "image/jpeg" and path.read_bytes() == b"\xff\xd8 photo"
    assert photos.cached("wa:111") == path


@pytest.mark.parametrize(
    ("ref", "reason"),
    [("wa:222", "not_image"), ("wa:333", "too_large"), ("wa:404", "unavailable"),
     ("tg:abc", "unavailable")],
)  # fmt: skip
async def test_other_files_are_refused(graph, tmp_path, ref, reason):
    with pytest.raises(MediaRefused) as refused:
        await media(graph, tmp_path).fetch(ref)
    assert refused.value.reason == reason
    assert not (tmp_path / "media").exists() or not any((tmp_path / "media").iterdir())
