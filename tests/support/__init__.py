"""Helpers shared by the test layers (fake servers, sample data)."""
