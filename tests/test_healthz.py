"""/healthz tells an operator what is wrong."""


def test_healthz_reports_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    checks = response.json["checks"]
    assert set(checks) == {"database", "file_store", "search_index"}
    assert all(c["ok"] for c in checks.values())
    assert checks["database"]["backend"] == "sqlite"


def test_healthz_is_503_when_the_file_store_is_unusable(app, client, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store should be")
    app.config["FILE_STORE_DIR"] = str(blocker)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["checks"]["file_store"]["ok"] is False
    assert response.json["checks"]["database"]["ok"] is True
