"""cicasite.environment: settings read from the environment, refused when unsafe in production."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from cicasite.environment import parse_database_url, read_key, read_secret_key

KEY = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / "secret_key"
    path.write_text(KEY + "\n")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY_FILE", str(path))
    return path


def test_a_secret_key_file_only_its_owner_reads_is_used(key_file):
    key_file.chmod(0o600)
    assert read_secret_key(debug=False) == KEY


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_production_refuses_a_secret_key_file_others_can_read(key_file, mode):
    key_file.chmod(mode)
    with pytest.raises(ImproperlyConfigured, match=f"mode {mode:04o}.*chmod 600"):
        read_secret_key(debug=False)


def test_development_reads_a_key_file_whatever_its_mode(key_file):
    key_file.chmod(0o644)
    assert read_secret_key(debug=True) == KEY


def test_production_refuses_a_weak_or_missing_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="Set SECRET_KEY"):
        read_secret_key(debug=False)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="too weak"):
        read_secret_key(debug=False)


def test_database_urls_other_than_sqlite_and_postgresql_are_refused():
    assert parse_database_url("postgres://u:p@db:5433/cica")["PORT"] == "5433"
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        parse_database_url("mysql://u@db/cica")


@pytest.mark.parametrize("name", ["BACKUP_KEY", "LOG_HASH_KEY"])
def test_backup_and_log_keys_follow_the_secret_key_rules(name, tmp_path, monkeypatch):
    monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(f"{name}_FILE", raising=False)
    assert read_key(name, debug=False) is None  # unset: the command that needs it says so
    path = tmp_path / "key"
    path.write_text(KEY + "\n")
    monkeypatch.setenv(f"{name}_FILE", str(path))
    path.chmod(0o600)
    assert read_key(name, debug=False) == KEY
    path.chmod(0o640)
    with pytest.raises(ImproperlyConfigured, match=rf"{name}_FILE .* \(mode 0640\): chmod 600"):
        read_key(name, debug=False)
    assert read_key(name, debug=True) == KEY
    monkeypatch.setenv(f"{name}_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        read_key(name, debug=False)
    monkeypatch.setenv(name, "short")
    with pytest.raises(ImproperlyConfigured, match=f"{name} is too short"):
        read_key(name, debug=False)
