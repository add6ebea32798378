"""Background workers that run beside the servers."""
