"""PostgreSQL as the database of a running server: one serving process per database for now (a second one is
refused with words that say what to do), the schema brought up to date by the server itself, and files (photos,
the secrets key) in ANDIAN_DATA_DIR. Starts the throwaway cluster itself, on either suite engine."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from litestar.testing import TestClient

from server.errors import AndianError
from server.settings import Settings
from server.web.app import create_app

from . import backends
from .conftest import PASSWORD, Clock, add_admin, bearer, login


def leaves(exc: BaseException) -> list[BaseException]:
    """The exceptions inside a (nested) exception group, as the app's startup raises them."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in leaves(inner)]
    return [exc]


def pg_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(db_path=tmp_path / "unused.db", db_url=url, data_dir=tmp_path / "files",
                    static_dir=tmp_path / "static")


def test_a_second_serving_process_is_refused_until_the_first_stops(tmp_path: Path) -> None:
    settings = pg_settings(tmp_path, backends.cluster().new_database())
    add_admin(settings)
    with TestClient(create_app(settings, clock=Clock())) as first:
        assert first.get("/api/v1/health").status_code == 200
        with pytest.raises(BaseException) as refused, TestClient(create_app(settings, clock=Clock())):
            pass
        detail = next(e.detail for e in leaves(refused.value) if isinstance(e, AndianError))
        assert "another `andian serve` already serves this PostgreSQL database" in detail
        assert "另一个 andian serve" in detail
    with TestClient(create_app(settings, clock=Clock())) as again:  # the lock went with the first process
        token = login(again, "root", PASSWORD)
        assert again.get("/api/v1/me", headers=bearer(token)).json()["username"] == "root"
        photo = b"\xff\xd8\xff\xe0" + b"JFIF photo of a loose terminal"
        sha = hashlib.sha256(photo).hexdigest()
        put = again.put(f"/api/v1/attachments/{sha}", content=photo,
                        headers={**bearer(token), "Content-Type": "image/jpeg"})
        assert put.status_code == 201, put.text
    # The photo's bytes are in ANDIAN_DATA_DIR, its record in PostgreSQL; no SQLite file was made.
    assert any(p.read_bytes() == photo for p in (tmp_path / "files" / "attachments").rglob("*") if p.is_file())
    assert not (tmp_path / "unused.db").exists()  # nothing went to an SQLite file


def test_andian_db_takes_a_postgresql_url() -> None:
    url = "postgresql://andian:pw@db.example:5432/city"
    settings = Settings.from_env({"ANDIAN_DB": url, "ANDIAN_DATA_DIR": "/srv/andian"})
    assert settings.db_url == url and settings.database() == url
    assert settings.files_dir() == Path("/srv/andian")
    assert Settings.from_env({}, db_path=url).db_url == url  # --db as well
    file = Settings.from_env({"ANDIAN_DB": "/var/lib/andian/a.db"})
    assert file.db_url == "" and file.database() == Path("/var/lib/andian/a.db")
    assert file.files_dir() == Path("/var/lib/andian")
