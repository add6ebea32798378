"""Processes and tools: launcher, terminal chat, evaluation."""
