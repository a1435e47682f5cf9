"""PostgreSQL as the database of a running server: the schema brought up to date by the server itself, files
(photos, the secrets key) in ANDIAN_DATA_DIR, ANDIAN_DB taking a URL. Starts the throwaway cluster itself, on
either suite engine."""

from __future__ import annotations

import hashlib
from pathlib import Path

from litestar.testing import TestClient

from server.settings import Settings
from server.web.app import create_app

from . import backends
from .conftest import PASSWORD, Clock, add_admin, bearer, login


def pg_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(db_path=tmp_path / "unused.db", db_url=url, data_dir=tmp_path / "files",
                    static_dir=tmp_path / "static")


def test_the_server_runs_on_postgresql_with_its_files_in_the_data_dir(tmp_path: Path) -> None:
    settings = pg_settings(tmp_path, backends.cluster().new_database())
    add_admin(settings)
    with TestClient(create_app(settings, clock=Clock())) as client:
        token = login(client, "root", PASSWORD)
        assert client.get("/api/v1/me", headers=bearer(token)).json()["username"] == "root"
        photo = b"\xff\xd8\xff\xe0" + b"JFIF photo of a loose terminal"
        sha = hashlib.sha256(photo).hexdigest()
        put = client.put(f"/api/v1/attachments/{sha}", content=photo,
                         headers={**bearer(token), "Content-Type": "image/jpeg"})
        assert put.status_code == 201, put.text
    # The photo's bytes are in ANDIAN_DATA_DIR, its record in PostgreSQL; no SQLite file was made.
    assert any(p.read_bytes() == photo for p in (tmp_path / "files" / "attachments").rglob("*") if p.is_file())
    assert not (tmp_path / "unused.db").exists()


def test_andian_db_takes_a_postgresql_url() -> None:
    url = "postgresql://andian:pw@db.example:5432/city"
    settings = Settings.from_env({"ANDIAN_DB": url, "ANDIAN_DATA_DIR": "/srv/andian"})
    assert settings.db_url == url and settings.database() == url
    assert settings.files_dir() == Path("/srv/andian")
    assert Settings.from_env({}, db_path=url).db_url == url  # --db as well
    file = Settings.from_env({"ANDIAN_DB": "/var/lib/andian/a.db"})
    assert file.db_url == "" and file.database() == Path("/var/lib/andian/a.db")
    assert file.files_dir() == Path("/var/lib/andian")
