"""The client's one b2sdk boundary: resumable uploads with a scoped key, throttled."""
