"""The deploy gate and the model records, without Rasa (figures given by a stand-in)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.db import migrate
from bot.adapters.db.engine import make_engine
from bot.adapters.db.nlu_records import ModelRecords
from bot.adapters.model_files import RasaModelFiles
from bot.adapters.model_instances import RasaModelInstances
from bot.services.models import (
    DeployRefused,
    ModelService,
    NothingToRollBack,
    TrainingInProgress,
    verdict,
)
from tests.auxil.tabik_server import free_port

RUNNING, CANDIDATE = "tabik-aaaaaaaaaaaa", "tabik-bbbbbbbbbbbb"


def figures(macro: float, entity: float = 0.9, **per_intent: float) -> dict[str, Any]:
    return {
        "intent_accuracy": macro,
        "macro_f1": macro,
        "entity_f1": entity,
        "per_intent_f1": {"greet": 0.9, "check_status": 0.9, **per_intent},
        "worst_confusions": [],
    }


def test_verdict_has_a_tolerance_of_one_point() -> None:
    assert verdict(figures(0.805), figures(0.80)) == "same"
    assert verdict(figures(0.795), figures(0.80)) == "same"
    assert verdict(figures(0.82), figures(0.80)) == "better"
    assert verdict(figures(0.78), figures(0.80)) == "worse"
    assert verdict(figures(0.85, entity=0.80), figures(0.80, entity=0.9)) == "worse"


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModelService, str]:
    url = f"sqlite:///{tmp_path / 'tabik.db'}"
    migrate.upgrade(url)
    models = tmp_path / "models"
    models.mkdir()
    for name in (RUNNING, CANDIDATE):
        (models / f"{name}.tar.gz").write_bytes(b"model")
    instance = f"http://127.0.0.1:{free_port()}"
    records = ModelRecords(make_engine(url))
    records.record_deployment(instance=instance, model=RUNNING, previous_model=None)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TABIK_MODELS_DIR", str(models))
    monkeypatch.setenv("RASA_URLS", instance)
    files = HeldOutTable(models, environment={})
    service = ModelService(records, files, RasaModelInstances(), urls=[instance])
    return service, instance


class HeldOutTable(RasaModelFiles):
    """The model files, with held-out figures that make the candidate worse."""

    def held_out_figures(self, path: Path) -> dict[str, Any]:
        if path.name.startswith(CANDIDATE):
            return figures(0.70, check_status=0.60)
        return figures(0.80)


def test_a_worse_candidate_is_refused_naming_the_intents(setup: tuple[ModelService, str]) -> None:
    service, _ = setup
    with pytest.raises(DeployRefused) as refused:
        service.deploy(CANDIDATE)
    assert refused.value.worse_intents == ["check_status"]
    assert "check_status" in str(refused.value)


def test_cli_deploy_refuses_with_exit_1_and_force_tries_every_instance(
    setup: tuple[ModelService, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from bot import cli  # not at collection: main() binds its default `out` on import

    service, instance = setup
    service.evaluate(CANDIDATE)
    assert cli.main(["model", "deploy", CANDIDATE], out=io.StringIO()) == 1
    assert "check_status" in capsys.readouterr().err
    out = io.StringIO()
    # Forced, to an instance that is down: reported, exit 1, recorded as failed.
    assert cli.main(["model", "deploy", CANDIDATE, "--force"], out=out) == 1
    assert f"{instance}: GAGAL/FAILED" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["model", "list", "--json"], out=out) == 0
    listing = {m["name"]: m for m in json.loads(out.getvalue())}
    assert listing[RUNNING]["deployed_on"] == [instance]
    assert listing[CANDIDATE]["deployed_on"] == []
    assert listing[CANDIDATE]["figures"]["macro_f1"] == 0.70
    assert listing[CANDIDATE]["verdict"] == "worse"


def test_rollback_without_a_previous_model_is_refused(setup: tuple[ModelService, str]) -> None:
    service, _ = setup
    with pytest.raises(NothingToRollBack):
        service.rollback()


def test_a_restart_serves_the_last_deployed_model(
    setup: tuple[ModelService, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.config import Settings
    from bot.entrypoints.launcher import deployed_model

    service, instance = setup
    settings = Settings.from_env(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'tabik.db'}", "RASA_URLS": instance}
    )
    settings = settings.with_values(tabik_models_dir=tmp_path / "models")
    assert service.last_deployed_path() == tmp_path / "models" / f"{RUNNING}.tar.gz"
    assert deployed_model(settings) == str(tmp_path / "models" / f"{RUNNING}.tar.gz")
    service.records.record_deployment(instance=instance, model=CANDIDATE, previous_model=RUNNING)
    service.records.record_deployment(
        instance=instance, model=RUNNING, previous_model=CANDIDATE, error="down"
    )
    assert str(deployed_model(settings)).endswith(f"{CANDIDATE}.tar.gz")


def test_only_one_training_runs_at_a_time(setup: tuple[ModelService, str]) -> None:
    service, _ = setup
    with service.files.training_lock():
        with pytest.raises(TrainingInProgress) as refused:
            service.train(io.StringIO())
    assert refused.value.lock.name == ".training.lock"
    # Released: the next training may take it.
    with service.files.training_lock():
        pass
