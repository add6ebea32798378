"""Database, key-value store, knowledge files and outside HTTP systems."""
