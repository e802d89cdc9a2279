"""Media API behaviour, independent of HTTP: uploads, media, processing, clean-up."""
