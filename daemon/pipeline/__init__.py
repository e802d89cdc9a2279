"""Drives each job through its states: prepare, initiate, upload, complete."""
