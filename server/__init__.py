"""ReelDrop's media server: the platform's media API (users, media files, upload
sessions, course videos) and, with no Backblaze credentials, an embedded B2-compatible store."""
