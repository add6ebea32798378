"""Train tiny candidates, deploy one to a running Rasa under traffic, roll back.

The Rasa server is started by the test with the model-swap channel; a client
sends ~10 requests a second (parses and webhook messages) all along. A deploy
must cost no request and no wait over a second.
"""

from __future__ import annotations

import io
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.adapters.db.nlu_records import ModelRecords
from bot.adapters.model_files import RasaModelFiles
from bot.adapters.model_instances import RasaModelInstances
from bot.services.labelled_examples import LabelledExamples
from bot.services.models import ModelService, TrainingFailed
from tests.auxil.tabik_server import free_port
from tests.auxil.tiny_project import write_tiny_project
from tests.auxil.traffic import RasaServer, Traffic

TOKEN = "test-admin-token"
LABELLED = {"kapan beres urusanku": "check_status", "mohon pamit undur diri": "goodbye"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_project(tmp_path_factory.mktemp("tiny"))


@pytest.fixture(scope="module")
def service(project: Path) -> ModelService:
    url = f"sqlite:///{project / 'tabik.db'}"
    migrate.upgrade(url)
    files = RasaModelFiles(
        project / "models",
        environment=os.environ,
        root=project,
        test_file=project / "held_out.yml",
    )
    return ModelService(ModelRecords(make_engine(url)), files, RasaModelInstances(TOKEN), urls=[])


@pytest.fixture(scope="module")
def models(service: ModelService, project: Path) -> tuple[str, str]:
    """(running, candidate): the candidate adds admin-labelled examples."""
    running = service.train(io.StringIO())
    examples = LabelledExamples(project, test_dir=project / "no-held-out")
    for text, intent in LABELLED.items():
        examples.add(text, intent)
    candidate = service.train(io.StringIO())
    return running, candidate


@pytest.fixture(scope="module")
def rasa(models: tuple[str, str], project: Path, service: ModelService) -> Iterator[RasaServer]:
    server = RasaServer(service.path_of(models[0]), project, free_port(), TOKEN)
    server.start()
    yield server
    server.stop()


def test_training_names_the_model_after_its_data(models: tuple[str, str], project: Path) -> None:
    running, candidate = models
    assert running != candidate
    assert (project / "models" / f"{candidate}.tar.gz").is_file()
    labelled = (project / "nlu" / "data" / "nlu" / "labelled.yml").read_text()
    assert "    - kapan beres urusanku" in labelled


def test_training_that_fails_validation_leaves_no_model(
    service: ModelService, project: Path, models: tuple[str, str]
) -> None:
    broken = project / "nlu" / "data" / "nlu" / "broken.yml"
    broken.write_text("nlu:\n- intent: greet\n  examples: |\n    - halo\n  - oops: [\n")
    before = sorted(p.name for p in (project / "models").glob("*.tar.gz"))
    try:
        with pytest.raises(TrainingFailed) as failure:
            service.train(io.StringIO())
    finally:
        broken.unlink()
    assert failure.value.step == "rasa data validate"
    assert sorted(p.name for p in (project / "models").glob("*.tar.gz")) == before


def test_deploy_under_traffic_costs_no_request(
    rasa: RasaServer, models: tuple[str, str], service: ModelService, project: Path
) -> None:
    running, candidate = models
    dead = f"http://127.0.0.1:{free_port()}"
    service.instance_urls = [rasa.url, dead]

    evaluation = service.evaluate(candidate)
    assert evaluation["current"]["model"] == running
    assert evaluation["verdict"] in {"better", "same", "worse"}
    assert 0.0 <= evaluation["candidate"]["macro_f1"] <= 1.0

    with Traffic(rasa.url, TOKEN, rate=10) as traffic:
        results = service.deploy(candidate, force=True)
    ok = {r.url: r for r in results}
    assert ok[rasa.url].ok and ok[rasa.url].previous_model == running
    assert not ok[dead].ok and "not reachable" in (ok[dead].error or "")
    print(
        f"deploy under traffic: {len(traffic.waits)} requests, {len(traffic.failures)} failed,"
        f" longest wait {traffic.longest_wait:.3f} s"
    )
    assert traffic.failures == []
    assert len(traffic.waits) >= 10
    assert traffic.longest_wait < 1.0, f"longest wait {traffic.longest_wait:.2f} s"

    assert rasa.status()["model_file"] == f"{candidate}.tar.gz"
    for text, intent in LABELLED.items():
        assert rasa.parse(text)["intent"]["name"] == intent  # type: ignore[index]

    listing = {m["name"]: m for m in service.list_models()}
    assert listing[candidate]["deployed_on"] == [rasa.url]
    assert listing[running]["previous_on"] == [rasa.url]

    with Traffic(rasa.url, TOKEN, rate=10) as traffic:
        back = service.rollback()
    assert [r.model for r in back if r.ok] == [running]
    assert traffic.failures == []
    assert rasa.status()["model_file"] == f"{running}.tar.gz"


def test_swap_endpoint_needs_the_api_token(rasa: RasaServer) -> None:
    request = urllib.request.Request(
        f"{rasa.url}/webhooks/model_admin/model",
        data=json.dumps({"model_file": "/etc/passwd"}).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401


def test_a_model_that_cannot_load_leaves_the_running_one(
    rasa: RasaServer, service: ModelService, project: Path
) -> None:
    before = rasa.status()["model_file"]
    bogus = project / "models" / "tabik-broken.tar.gz"
    bogus.write_bytes(b"not a model")
    service.instance_urls = [rasa.url]
    results = service.deploy("tabik-broken", force=True)
    assert not results[0].ok and "HTTP 500" in (results[0].error or "")
    assert rasa.status()["model_file"] == before
    assert rasa.parse("halo")["intent"]["name"] == "greet"  # type: ignore[index]
