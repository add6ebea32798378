"""The admins' pages: the NLU inbox and the models, with their refusals and the audit."""

from __future__ import annotations

import pytest

from bot.domain.staff import Role
from console.parts import ADMIN_TOOLS
from tests.auxil.tabik_server import free_port
from tests.console.conftest import Admin
from tests.console.doubles import RUNNING, held_out
from tests.staff_console.conftest import Console

ADMIN_PAGES = ["/admin/nlu", "/admin/model", f"/admin/model/{RUNNING}", "/admin/model/status"]
ADMIN_FORMS = [
    "/admin/nlu/1/label",
    "/admin/nlu/1/abaikan",
    "/admin/model/latih",
    "/admin/model/kembalikan",
    f"/admin/model/{RUNNING}/evaluasi",
    f"/admin/model/{RUNNING}/pasang",
]
HAJIMENA = {"kabupaten_kota": "Lampung Selatan", "kecamatan": "Natar", "desa": "Hajimena"}


@pytest.mark.parametrize(
    ("role", "area"),
    [(Role.OFFICER, {"kabupaten_kota": "Lampung Selatan"}), (Role.VILLAGE, HAJIMENA)],
)
async def test_only_admins_see_and_use_the_pages(admin: Admin, role: Role, area: dict) -> None:
    console = admin.console
    _, admins_queue = await admin.get("/antrean")
    assert 'href="/admin/nlu"' in admins_queue
    await console.client.post("/logout", data={"csrf_token": await console.csrf("/antrean")})
    await console.account("bukanadmin", role, **area)
    assert await console.login("bukanadmin") == 302
    _, queue = await admin.get("/antrean")
    assert "/admin/" not in queue
    for path in ADMIN_PAGES:
        assert (await admin.get(path))[0] == 403, path
    for path in ADMIN_FORMS:
        assert (await admin.post(path, intent="greet"))[0] == 403, path
    assert admin.models.files.trained == 0
    assert not admin.labelled.exists()


async def test_forms_without_their_csrf_token_are_refused(admin: Admin) -> None:
    response = await admin.console.client.post("/admin/model/latih", data={})
    assert response.status == 403
    assert admin.console.client.app  # the session stays
    assert (await admin.get("/admin/model/status"))[1] == '{"job": null}'


async def test_the_inbox_is_labelled_from_a_suggestion_or_any_intent_and_ignored(
    admin: Admin,
) -> None:
    admin.residents.say(
        "nik sy 1871012345678901 lampu jalan mati",
        ("nlu_fallback", 0.7),
        ("file_complaint", 0.41),
        ("check_status", 0.2),
        ("greet", 0.1),
        ("goodbye", 0.05),
    )
    admin.residents.say("lampu jalan mati total", ("file_complaint", 0.45), ("greet", 0.3))
    admin.residents.say("lampu jalan mati total", ("file_complaint", 0.45), ("greet", 0.3))
    admin.residents.say("asdf qwerty", ("out_of_scope", 0.9))

    status, page = await admin.get("/admin/nlu")
    assert status == 200
    assert "1871012345678901" not in page and "lampu jalan mati" in page
    assert "3 kelompok pesan" in page and "2×" in page
    # The model's top three (the fallback left out) as buttons, then every domain intent.
    assert "file_complaint (41%)" in page and "greet (10%)" in page and "goodbye (" not in page
    assert '<option value="human_handoff"' in page

    app = admin.console.client.app
    assert app is not None
    items = {i.text: i.id for i in app[ADMIN_TOOLS].nlu_inbox().items()}
    first, second = items["lampu jalan mati total"], items["asdf qwerty"]
    status, page = await admin.post(f"/admin/nlu/{first}/label", intent="lapor_lampu")
    assert status == 422
    assert "Intent “lapor_lampu” tidak dikenal" in page and "file_complaint, " in page
    assert not admin.labelled.exists()

    status, _ = await admin.post(f"/admin/nlu/{first}/label", intent="file_complaint")
    assert status == 303
    assert "    - lampu jalan mati total" in admin.labelled.read_text(encoding="utf-8")
    assert (await admin.post(f"/admin/nlu/{second}/abaikan"))[0] == 303
    _, page = await admin.get("/admin/nlu")
    assert "1 kelompok pesan" in page and "asdf" not in page and "mati total" not in page
    assert (await admin.post(f"/admin/nlu/{second}/abaikan"))[0] == 404
    assert f"nlu.labelled nlu-inbox:{first}" in await admin.audited()
    assert f"nlu.ignored nlu-inbox:{second}" in await admin.audited()


async def test_training_shows_progress_then_the_candidate_and_one_runs_at_a_time(
    admin: Admin,
) -> None:
    admin.models.files.release.clear()  # the training waits until the test lets it finish
    assert (await admin.post("/admin/model/latih"))[0] == 303
    _, page = await admin.get("/admin/model")
    assert "Sedang berjalan" in page and "data-job-status" in page
    status, page = await admin.post("/admin/model/latih")
    assert status == 409 and "masih berjalan" in page
    admin.models.files.release.set()

    job = await admin.job()
    assert job["state"] == "done" and job["lines"][-1] == "Model saved"
    candidate = job["result"]["candidate"]
    _, page = await admin.get("/admin/model")
    assert f'Kandidat baru: <a href="/admin/model/{candidate}">' in page
    table = page[page.index("Semua model") :]
    assert table.index(candidate) < table.index(RUNNING)  # newest first
    assert admin.models.files.trained == 1
    assert {"model.train.started -", "model.train.done -"} <= set(await admin.audited())


async def test_a_training_from_the_command_line_is_refused_in_words(admin: Admin) -> None:
    with admin.models.files.training_lock():
        assert (await admin.post("/admin/model/latih"))[0] == 303
        job = await admin.job()
    assert job["state"] == "refused"
    _, page = await admin.get("/admin/model")
    assert "Pelatihan lain sedang berjalan" in page


async def test_a_failed_training_shows_the_error_and_keeps_the_running_model(
    admin: Admin,
) -> None:
    admin.models.files.failure = "YamlSyntaxError: nlu/data/nlu/labelled.yml line 7"
    await admin.post("/admin/model/latih")
    assert (await admin.job())["state"] == "failed"
    _, page = await admin.get("/admin/model")
    assert "Gagal." in page and "Model yang berjalan tidak berubah" in page
    assert "labelled.yml line 7" in page
    listing = admin.models.list_models()
    assert [m["name"] for m in listing] == [RUNNING]
    assert listing[0]["deployed_on"] == admin.models.instance_urls
    assert "model.train.failed -" in await admin.audited()


async def _candidate(admin: Admin) -> str:
    await admin.post("/admin/model/latih")
    return str((await admin.job())["result"]["candidate"])


async def test_evaluation_puts_candidate_and_running_model_side_by_side(admin: Admin) -> None:
    candidate = await _candidate(admin)
    assert (await admin.post(f"/admin/model/{candidate}/evaluasi"))[0] == 303
    assert (await admin.job())["result"]["evaluation"]["verdict"] == "better"
    status, page = await admin.get(f"/admin/model/{candidate}")
    assert status == 200
    assert "Lebih baik" in page and "0.850" in page and "0.800" in page
    assert "check_status → greet: 2×" in page
    assert (await admin.get("/admin/model/tabik-tidakada"))[0] == 404


async def test_a_worse_candidate_is_refused_naming_intents_and_can_be_forced(admin: Admin) -> None:
    admin.models.files.candidate_figures = held_out(0.70, check_status=0.60)
    candidate = await _candidate(admin)
    await admin.post(f"/admin/model/{candidate}/pasang")
    job = await admin.job()
    assert job["state"] == "refused" and job["result"]["worse_intents"] == ["check_status"]
    _, page = await admin.get(f"/admin/model/{candidate}")
    assert "Intent yang memburuk: check_status" in page and 'name="force" value="1"' in page
    assert all(m["deployed_on"] == [] for m in admin.models.list_models() if m["name"] == candidate)

    await admin.post(f"/admin/model/{candidate}/pasang", force="1")
    job = await admin.job()
    assert job["state"] == "done"
    assert [i["model"] for i in job["result"]["instances"]] == [candidate, candidate]
    _, page = await admin.get("/admin/model")
    assert "tidak seragam" not in page
    assert f"model.deploy.started {candidate}" in await admin.audited()


async def test_an_instance_that_is_down_is_reported_while_the_others_are_updated(
    admin: Admin,
) -> None:
    candidate = await _candidate(admin)
    down = f"http://127.0.0.1:{free_port()}"
    admin.models.instance_urls.append(down)
    await admin.post(f"/admin/model/{candidate}/pasang")
    job = await admin.job()
    assert job["state"] == "partial"
    assert [i["ok"] for i in job["result"]["instances"]] == [True, True, False]
    _, page = await admin.get("/admin/model")
    assert "Sebagian gagal" in page and f"{down}</strong>:" in page and "not reachable" in page
    assert "Instance tidak seragam" in page

    await admin.post("/admin/model/kembalikan")
    job = await admin.job()
    assert job["state"] == "partial", job
    assert [i["model"] for i in job["result"]["instances"][:2]] == [RUNNING, RUNNING]
    assert "model.rollback.partial -" in await admin.audited()


async def test_rollback_with_nothing_to_go_back_to_is_refused(admin: Admin) -> None:
    await admin.post("/admin/model/kembalikan")
    assert (await admin.job())["state"] == "refused"
    _, page = await admin.get("/admin/model")
    assert "tidak ada yang dikembalikan" in page


@pytest.mark.parametrize("how", ["relative", "absolute"])
async def test_a_file_path_is_not_a_model_name(admin: Admin, how: str) -> None:
    # The shell's `model deploy` takes a file path too; over the web it would load any
    # .tar.gz of the host on every instance.
    elsewhere = admin.models.files.models_dir.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "tabik-evil.tar.gz").write_bytes(b"model")
    target = (
        "../elsewhere/tabik-evil.tar.gz" if how == "relative" else f"{elsewhere}/tabik-evil.tar.gz"
    )
    encoded = target.replace("/", "%2F")
    for path in (f"/admin/model/{encoded}", f"/admin/model/{encoded}/pasang"):
        status = (await (admin.get if path.endswith("gz") else admin.post)(path))[0]
        assert status == 404, path
    assert (await admin.get("/admin/model/status"))[1].count('"job": null') == 1


async def test_a_console_without_the_admin_tools_says_so(console: Console) -> None:
    """Started without the NLU inbox and the model service: 503 in words, for pages and API."""
    await console.account("admin", Role.ADMIN)
    assert await console.login("admin") == 302
    for path in ("/admin/nlu", "/admin/model"):
        response = await console.client.get(path)
        assert response.status == 503
        assert "tidak tersedia di instans ini" in (await response.text())
    response = await console.client.get("/api/models", headers=await console.token("admin"))
    assert response.status == 503
    assert (await response.json()) == {"error": "Tidak tersedia di instans ini."}
