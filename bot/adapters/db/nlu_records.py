"""Records of candidate models (with their held-out figures) and of deployments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from bot.adapters.db.tables_nlu import model_deployments, nlu_models


@dataclass(frozen=True)
class Deployment:
    instance: str
    model: str
    previous_model: str | None
    status: str
    error: str | None
    deployed_at: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc)


class ModelRecords:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def register(self, name: str, fingerprint: str, path: str) -> None:
        with self.engine.begin() as connection:
            exists = connection.execute(
                select(nlu_models.c.id).where(nlu_models.c.name == name)
            ).first()
            if exists is None:
                connection.execute(
                    insert(nlu_models).values(
                        name=name, fingerprint=fingerprint, path=path, created_at=_now()
                    )
                )

    def save_evaluation(self, name: str, path: str, evaluation: dict[str, Any]) -> None:
        self.register(name, name.rsplit("-", 1)[-1], path)
        with self.engine.begin() as connection:
            connection.execute(
                update(nlu_models).where(nlu_models.c.name == name).values(evaluation=evaluation)
            )

    def evaluation(self, name: str) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            value = connection.execute(
                select(nlu_models.c.evaluation).where(nlu_models.c.name == name)
            ).scalar()
        return dict(value) if value else None

    def models(self) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(nlu_models).order_by(nlu_models.c.id)).mappings()
            return [dict(row) for row in rows]

    def record_deployment(
        self,
        *,
        instance: str,
        model: str,
        previous_model: str | None,
        error: str | None = None,
        longest_wait_ms: int | None = None,
    ) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(model_deployments).values(
                    instance=instance,
                    model=model,
                    previous_model=previous_model,
                    status="failed" if error else "deployed",
                    error=error,
                    longest_wait_ms=longest_wait_ms,
                    deployed_at=_now(),
                )
            )

    def latest(self, instance: str) -> Deployment | None:
        """The instance's latest successful deployment."""
        with self.engine.connect() as connection:
            row = (
                connection.execute(
                    select(model_deployments)
                    .where(
                        model_deployments.c.instance == instance,
                        model_deployments.c.status == "deployed",
                    )
                    .order_by(model_deployments.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return Deployment(
            instance=row["instance"],
            model=row["model"],
            previous_model=row["previous_model"],
            status=row["status"],
            error=row["error"],
            deployed_at=row["deployed_at"],
        )

    def last_deployed(self) -> str | None:
        """The model of the latest successful deployment anywhere (instances run one model)."""
        with self.engine.connect() as connection:
            return connection.execute(
                select(model_deployments.c.model)
                .where(model_deployments.c.status == "deployed")
                .order_by(model_deployments.c.id.desc())
                .limit(1)
            ).scalar()

    def instances(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(
                connection.execute(
                    select(model_deployments.c.instance)
                    .group_by(model_deployments.c.instance)
                    .order_by(func.min(model_deployments.c.id))
                ).scalars()
            )
