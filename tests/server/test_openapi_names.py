"""The OpenAPI document names path parameters as the platform's media design does."""

from __future__ import annotations

from tests.support.live_server import LiveServer


def test_path_parameters_use_the_design_names(sqlite_server: LiveServer) -> None:
    import httpx

    paths = httpx.get(f"{sqlite_server.url}/openapi.json").json()["paths"]
    assert "/api/v1/media/media/{mediaFileId}" in paths
    assert "/api/v1/media/media/{mediaFileId}/process" in paths
    assert "/api/v1/media/upload/progress/{sessionKey}" in paths
    assert "/api/v1/media/upload/cancel/{sessionKey}" in paths
    for path, operations in paths.items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert "_" not in parameter["name"], (path, parameter["name"])
                    assert "{" + parameter["name"] + "}" in path
