"""Finding PostgreSQL's client programs (backups/pg_client.py): a pg_dump new enough, or a clear error."""

import pytest
from django.core.management import CommandError

from backups import pg_client


def fake_tool(folder, name, version):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\necho '{name} (PostgreSQL) {version} (fake)'\n")
    path.chmod(0o755)
    return path


def test_a_pg_dump_older_than_the_server_is_refused_with_the_versions(tmp_path, monkeypatch):
    fake_tool(tmp_path / "bin", "pg_dump", "12.3")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(pg_client, "PG_BIN_GLOB", str(tmp_path / "lib" / "*" / "bin"))

    too_old = r"pg_dump 15 or newer is needed .* found only .*/bin/pg_dump \(version 12\)"
    with pytest.raises(CommandError, match=too_old):
        pg_client.pg_tool("pg_dump", 15)


def test_a_newer_pg_dump_is_taken_from_the_installed_versions(tmp_path, monkeypatch):
    fake_tool(tmp_path / "bin", "pg_dump", "12.3")
    fake_tool(tmp_path / "lib" / "14" / "bin", "pg_dump", "14.9")
    newest = fake_tool(tmp_path / "lib" / "16" / "bin", "pg_dump", "16.2")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(pg_client, "PG_BIN_GLOB", str(tmp_path / "lib" / "*" / "bin"))

    assert pg_client.pg_tool("pg_dump", 15) == (str(newest), 16)


def test_a_missing_pg_dump_is_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(pg_client, "PG_BIN_GLOB", str(tmp_path / "lib" / "*" / "bin"))

    with pytest.raises(CommandError, match="pg_dump was not found on PATH or in .*: install PostgreSQL's client"):
        pg_client.pg_tool("pg_dump", 15)
