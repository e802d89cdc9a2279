"""The daemon's client of the media API, and the durable outbox of calls that must land."""
