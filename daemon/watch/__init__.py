"""Watched folders: every finished video dropped into a folder is uploaded exactly once."""
