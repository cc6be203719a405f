"""The tests' fake platforms are the program's own sandbox receivers (notify/sandbox.py)."""

from demo.sandbox import *  # noqa: F401,F403
