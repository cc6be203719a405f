"""Jinja2 templates of the documents the services write (the 创卫简报)."""
