"""cicasite.environment: settings read from the environment, refused when unsafe in production."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from cicasite import settings as site_settings
from cicasite.environment import build_id, parse_database_url, read_key, read_secret_key

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


@pytest.fixture
def tree(tmp_path):
    """A small copy of what a build is made of: code, a template, a stylesheet, a translation."""
    for name, text in {
        "requirements.txt": "Django==6.1.3\n",
        "cicasite/views.py": "def home(request): ...\n",
        "templates/base.html": "<title>CICA</title>\n",
        "static/css/base.css": ".a { color: red; }\n",
        "locale/ru/LC_MESSAGES/django.mo": "binary",
    }.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_same_files_give_the_same_build_id(tree, monkeypatch):
    monkeypatch.delenv("BUILD_ID", raising=False)
    assert build_id(tree) == build_id(tree)
    (tree / "cicasite" / "__pycache__").mkdir()
    (tree / "cicasite" / "__pycache__" / "views.cpython-313.pyc").write_bytes(b"compiled")
    assert build_id(tree) == build_id(tree)  # nor does a compiled file change it


@pytest.mark.parametrize(
    "changed", ["templates/base.html", "static/css/base.css", "locale/ru/LC_MESSAGES/django.mo", "requirements.txt"]
)
def test_a_deploy_that_changes_a_template_stylesheet_translation_or_library_is_a_new_build(tree, changed, monkeypatch):
    monkeypatch.delenv("BUILD_ID", raising=False)
    before = build_id(tree)
    (tree / changed).write_text((tree / changed).read_text() + "changed\n")
    assert build_id(tree) != before


def test_a_build_id_from_the_deploy_pipeline_wins(tree, monkeypatch):
    monkeypatch.setenv("BUILD_ID", "4f2a9c1")
    assert build_id(tree) == "4f2a9c1"


def test_cached_pages_and_data_are_kept_per_build():
    # Every entry of the page cache (pages, fragments, data, the content version) is under this prefix.
    # The settings module itself, as a server process reads it (tests override CACHES for their own use).
    # BUILD_ID is build_id() as the process started (the tree may change while a suite runs).
    assert site_settings.BUILD_ID
    assert site_settings.CACHES["pages"]["KEY_PREFIX"].endswith(f"pages-{site_settings.BUILD_ID}")
