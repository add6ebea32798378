"""Persistence of the system of record: tables, mapping, repositories, unit of work.

Nothing is connected at import time; :func:`bot.adapters.db.engine.make_engine` builds an
engine when asked, and :mod:`bot.adapters.db.migrate` is the only way a schema is made.
"""
