"""Sign-in: password hashes, short-lived access JWTs, rotating refresh tokens, throttling."""
