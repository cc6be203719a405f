"""Spatial work on plain records and GeoDataFrames: datums, routing, rendering. No database."""
