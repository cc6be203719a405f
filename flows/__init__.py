"""Prefect flows: thin schedules over services. Module names never shadow top-level packages."""
