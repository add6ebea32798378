"""Tabik: the Lampung public-service assistant (domain package)."""
