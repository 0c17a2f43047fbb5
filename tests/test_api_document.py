"""The OpenAPI document describes the real API and is valid OpenAPI 3."""

from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_complete(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in ("/api/v1/me", "/api/v1/users", "/api/v1/units", "/api/v1/tokens",
                 "/api/v1/files", "/api/v1/audit/verify"):
        assert path in paths, path
    error = spec["components"]["schemas"]["Error"]
    assert "error" in error["properties"]
    assert {"bearerAuth", "sessionCookie"} <= set(spec["components"]["securitySchemes"])
