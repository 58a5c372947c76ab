"""The production stack's files agree with the code: docker-compose.yml, Dockerfile, .env.example,
config/gunicorn.py and scripts/serve; and production settings pass ``check --deploy``.

Docker cannot run on this machine, so these read the files instead of starting containers.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
REQUIRED_IN_PRODUCTION = {
    "DJANGO_ENV",
    "SECRET_KEY",
    "CLIENT_HASH_SALT",
    "PAYOUT_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
}
# Read by docker-compose.yml itself (interpolation) or by the postgres image, not by Django.
COMPOSE_ONLY = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "HTTP_PORT"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def settings_variables() -> set[str]:
    """Return every environment variable config/settings.py and config/gunicorn.py read."""
    names: set[str] = set()
    settings = (ROOT / "config" / "settings.py").read_text()
    names |= set(
        re.findall(r'env_(?:str|bool|int|list|database|redis_url)\(\s*"([A-Z_]+)"', settings)
    )
    gunicorn = (ROOT / "config" / "gunicorn.py").read_text()
    names |= set(re.findall(r'(?:_int|os\.environ\.get)\(\s*"([A-Z_]+)"', gunicorn))
    return names


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def test_compose_has_every_service_with_a_health_check(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test")
        assert test, f"{name} has no health check"
        assert test[0] in {"CMD", "CMD-SHELL"}, name
    assert int(re.search(r"postgres:(\d+)", services["postgres"]["image"]).group(1)) >= 15
    assert services["redis"]["image"].startswith("redis:")
    for name in APP_SERVICES:
        assert services[name]["build"] == ".", name


def test_app_services_start_after_their_dependencies_are_healthy(compose):
    services = compose["services"]
    assert services["web"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("worker", "beat"):
        assert services[name]["depends_on"] == {"web": {"condition": "service_healthy"}}


def test_compose_commands_name_modules_and_commands_that_exist(compose):
    services = compose["services"]
    web = " ".join(services["web"]["command"])
    assert "python manage.py migrate --noinput" in web
    assert "exec gunicorn -c config/gunicorn.py" in web
    for command in re.findall(r"manage\.py (\w+)", web):
        assert command in get_commands(), command
    assert (ROOT / "config" / "gunicorn.py").exists()
    for name in ("worker", "beat"):
        command = services[name]["command"]
        assert command[:4] == ["celery", "-A", "config", name]
    assert importlib.util.find_spec("config.celery") is not None
    from config.celery import app

    assert app.main == "config"
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_every_variable_in_compose_and_env_example_is_one_the_code_reads(compose):
    known = settings_variables() | COMPOSE_ONLY
    example = env_example()
    assert set(example) <= known, set(example) - known
    for name in APP_SERVICES:
        environment = compose["services"][name].get("environment", {})
        assert set(environment) <= known, (name, set(environment) - known)
        provided = set(environment) | set(example)
        assert compose["services"][name]["env_file"] == ".env"
        assert provided >= REQUIRED_IN_PRODUCTION, (name, REQUIRED_IN_PRODUCTION - provided)
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert interpolated <= set(example), interpolated - set(example)


def test_the_dockerfile_builds_translations_and_static_files_and_runs_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM python:(\d+)\.(\d+)", dockerfile, re.MULTILINE)
    assert base is not None
    requires = re.search(
        r'requires-python = ">=(\d+)\.(\d+)', (ROOT / "pyproject.toml").read_text()
    )
    assert (int(base[1]), int(base[2])) >= (int(requires[1]), int(requires[2]))
    assert "manage.py compilemessages" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    assert "DJANGO_ENV=production" in dockerfile  # the manifest storage of production
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)  # not root
    assert 'CMD ["gunicorn", "-c", "config/gunicorn.py"]' in dockerfile
    for source in re.findall(r"^COPY (.+) \S+$", dockerfile, re.MULTILINE):
        for path in source.split():
            assert path == "." or (ROOT / path).exists(), path
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var", ".env"} <= set(ignored)


def test_serve_tunes_postgresql_as_compose_does(compose):
    serve = (ROOT / "scripts" / "serve").read_text()
    block = serve.split("# --- scripts/serve ---", 1)[1].split("EOF", 1)[0]
    served = dict(re.findall(r"^(\w+) = (\S+)$", block, re.MULTILINE))
    command = compose["services"]["postgres"]["command"]
    composed = dict(arg.split("=", 1) for arg in command if "=" in arg)
    tuning = {
        k: v for k, v in served.items() if k not in {"listen_addresses", "unix_socket_directories"}
    }
    assert tuning == composed


def test_gunicorn_is_sized_for_the_machine_and_never_waits_more_than_30_seconds(monkeypatch):
    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_BIND"):
        monkeypatch.delenv(name, raising=False)
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "config" / "gunicorn.py")
    config = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config)
    assert config.workers == 2 * os.cpu_count() + 1
    assert config.timeout <= 30
    assert config.wsgi_app == "config.wsgi:application"
    assert config.bind == "127.0.0.1:8000"
    assert config.preload_app is True
    assert config.max_requests > 0 and config.max_requests_jitter > 0


def production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50)[:50],
        CLIENT_HASH_SALT=secrets.token_urlsafe(50)[:50],
        PAYOUT_KEY=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="survey.example.org",
        DATABASE_URL="postgres://survey:secret@db.invalid:5432/survey",
        REDIS_URL="redis://redis.invalid:6379/0",
        VAR_DIR=str(ROOT / "var"),
        **extra,
    )
    return env


def test_check_deploy_is_clean_with_production_settings():
    reply = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = reply.stdout + reply.stderr
    assert reply.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output


PRINT_SECURITY = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_HSTS_SECONDS, s.DEBUG, s.DATABASES['default']['CONN_MAX_AGE'])"
)


def _security(env: dict[str, str]) -> list[str]:
    reply = subprocess.run(
        [sys.executable, "-c", PRINT_SECURITY],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return reply.stdout.split()


def test_production_defaults_are_secure_and_only_explicit_switches_relax_them():
    assert _security(production_env()) == ["True", "True", "True", "31536000", "False", "60"]
    loopback = production_env(
        SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false", SECURE_HSTS_SECONDS="0"
    )
    assert _security(loopback) == ["False", "False", "False", "0", "False", "60"]
    serve = (ROOT / "scripts" / "serve").read_text()
    for switch in ("SECURE_SSL_REDIRECT=false", "SECURE_COOKIES=false", "SECURE_HSTS_SECONDS=0"):
        assert f"export {switch}" in serve
