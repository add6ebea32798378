"""Erasure and retention on the system of record: its transactions (the
:class:`~bot.services.personal_data_store.PersonalDataStore` port) and
:func:`personal_data_on`, which builds :class:`~bot.services.privacy.PersonalData`
on engines."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bot.adapters.db.engine import compact_sqlite
from bot.adapters.db.personal_data import PersonalDataTables
from bot.adapters.media_files import MediaDirectory
from bot.adapters.tracker_retention import TrackerStoreCleaner
from bot.services.privacy import PersonalData

__all__ = ["SqlPersonalDataStore", "personal_data_on"]


class SqlPersonalDataStore:
    """Transactions on the system of record, each with its :class:`PersonalDataTables`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[PersonalDataTables]:
        with self.engine.connect() as connection:
            transaction = connection.begin()
            try:
                yield PersonalDataTables(connection)
            except BaseException:
                transaction.rollback()
                raise
            if commit:
                transaction.commit()
            else:
                transaction.rollback()

    def compact(self) -> None:
        compact_sqlite(self.engine)

    def close(self) -> None:
        self.engine.dispose()


def personal_data_on(
    engine: Engine,
    *,
    tracker_engine: Engine | None = None,
    media_dir: Path | None = None,
    **options: Any,
) -> PersonalData:
    """Erasure and retention on ``engine``, Rasa's SQL tracker store on ``tracker_engine``
    (None: none to clean) and the photos in ``media_dir`` (``periods``, ``clock`` as in
    :class:`PersonalData`). Closing it disposes of both engines."""
    return PersonalData(
        SqlPersonalDataStore(engine),
        tracker=None if tracker_engine is None else TrackerStoreCleaner(tracker_engine),
        media=None if media_dir is None else MediaDirectory(media_dir),
        **options,
    )
