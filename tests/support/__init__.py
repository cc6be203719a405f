"""Test helpers: fake platforms and servers."""
