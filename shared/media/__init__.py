"""Video probing, validation and quality tiers, shared by the daemon and the server."""
