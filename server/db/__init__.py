"""The server's relational data: SQLAlchemy models, engine and sessions."""
