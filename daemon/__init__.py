"""ReelDrop's background daemon: watched folders, job store, probing, resumable B2
uploads, a durable outbox of server calls and the loopback control API. Never imports Qt."""
