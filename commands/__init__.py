"""Sub-command groups of the ``cw`` command (assembled in cli.py)."""
