"""The console in real headless Chromium (Playwright, Debian's chromium; nothing downloaded).

The console runs in-process on a free port over a migrated SQLite file; WhatsApp
messages go to the fake Graph API through the same channel outputs as in
production; Rasa's conversation API is an in-memory fake.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.db import migrate
from bot.bootstrap import StaffServices, build_outbox, build_staff_services
from bot.config import PROJECT_ROOT, Settings
from bot.domain.staff import Role
from console.main import init_app
from console.parts import ConsoleParts
from console.settings import ConsoleSettings
from tests.auxil import fake_whatsapp
from tests.auxil.outbox_delivery import deliver_pending
from tests.auxil.services import services_required
from tests.auxil.staff import FAST_HASHER, PASSWORD, FakeConversations
from tests.auxil.tabik_server import BackgroundApps
from tests.console.doubles import QuickModels, Residents, admin_tools, rasa_instance

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}


@dataclass
class LiveConsole:
    url: str
    apps: BackgroundApps
    staff: StaffServices
    graph: fake_whatsapp.FakeGraphApi
    conversations: FakeConversations
    settings: Settings
    models: QuickModels
    residents: Residents

    def run(self, coroutine: Any) -> Any:
        return self.apps.run(coroutine)

    def whatsapp_texts(self, wa_id: str) -> list[str]:
        """What reached the resident: text bodies, and templates' parameters joined.

        The outbox is delivered first, as the channel's sender in Rasa would."""
        self.run(deliver_pending(self.settings))
        texts = []
        for request in self.graph.requests:
            body = request["json"]
            if body.get("to") != wa_id:
                continue
            if body.get("type") == "text":
                texts.append(body["text"]["body"])
            elif body.get("type") == "template":
                components = body["template"].get("components") or []
                texts.append(
                    " ".join(p["text"] for c in components for p in c.get("parameters", []))
                )
        return texts


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = "!!! /usr/bin/chromium missing (scripts/setup-browser.sh): browser tests NOT run"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    workdir = tmp_path_factory.mktemp("browser")
    database = workdir / "tabik.db"
    migrate.upgrade(f"sqlite:///{database}")
    apps = BackgroundApps()
    graph = fake_whatsapp.FakeGraphApi()
    graph_port = apps.serve(graph.app())
    settings = Settings.from_env(
        {
            "DATABASE_URL": f"sqlite:///{database}",
            "WHATSAPP_VERIFY_TOKEN": fake_whatsapp.VERIFY_TOKEN,
            "WHATSAPP_APP_SECRET": fake_whatsapp.APP_SECRET,
            "WHATSAPP_ACCESS_TOKEN": fake_whatsapp.ACCESS_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": fake_whatsapp.PHONE_NUMBER_ID,
            "WHATSAPP_API_BASE": f"http://127.0.0.1:{graph_port}/{fake_whatsapp.API_VERSION}",
        }
    )
    conversations = FakeConversations()

    async def make() -> StaffServices:
        # Built on the serving loop: the Graph API client's session belongs to it.
        outbox, _engine = build_outbox(settings)
        return build_staff_services(settings, messenger=outbox, conversations=conversations)

    staff = apps.run(make())
    staff.accounts.hasher = FAST_HASHER
    console = ConsoleSettings(port=0, secret_key="browser-test", media_dir=workdir / "media")
    instances = [f"http://127.0.0.1:{apps.serve(rasa_instance())}" for _ in range(2)]
    inbox, models, residents = admin_tools(settings.database_url, workdir, instances)
    port = apps.serve(init_app(ConsoleParts(staff, console, nlu_inbox=inbox, models=models)))
    live = LiveConsole(
        f"http://127.0.0.1:{port}", apps, staff, graph, conversations, settings, models, residents
    )
    for username, role, area in (
        ("admin", Role.ADMIN, {}),
        ("hajimena", Role.VILLAGE, HAJIMENA),
        ("petugas", Role.OFFICER, {"kabupaten_kota": "Lampung Selatan"}),
        ("kuncian", Role.OFFICER, {"kabupaten_kota": "Metro"}),
    ):
        live.run(staff.accounts.add(username, role=role, password=PASSWORD, **area))
    yield live
    apps.close()
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page: Any, name: str, phone: int = 390) -> None:
    """The page at phone and desktop width, for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((phone, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
