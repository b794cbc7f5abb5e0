"""Production settings: `check --deploy` is clean, secrets are required, CSP is on."""

import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

BASE_DIR = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AXES_"))}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_without_a_warning():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        DJANGO_ALLOWED_HOSTS="ktgs.example.test",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="ktgs.example.test")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


class InlineCode(HTMLParser):
    """Collects what a strict CSP (no 'unsafe-inline') would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if not names.get("src"):
                self.found.append("inline <script>")
        if tag == "style":
            self.found.append("<style>")
        if "style" in names:
            self.found.append(f"style= on <{tag}>")
        self.found += [f"{n}= on <{tag}>" for n in names if n.startswith("on")]
        if any((v or "").strip().lower().startswith("javascript:") for v in names.values()):
            self.found.append(f"javascript: URL on <{tag}>")


def inline_code(html: str) -> InlineCode:
    parser = InlineCode()
    parser.feed(html)
    return parser


def test_the_login_page_carries_a_strict_content_security_policy(client, db):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("logged_in", [False, True])
def test_our_pages_have_no_inline_script_or_style(client, cast, tree, logged_in):
    if logged_in:
        client.force_login(cast.leader_p)
        url = reverse("organization_detail", args=[tree.province.pk])
    else:
        url = reverse("login")
    found = inline_code(client.get(url).content.decode())
    assert found.scripts >= 1  # htmx, from a file
    assert found.found == []


def test_the_lockout_page_has_no_inline_code_either(client, cast):
    from django.conf import settings

    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "leader_p", "password": "sai"})
    assert response.status_code == 429
    assert inline_code(response.content.decode()).found == []


@pytest.mark.parametrize(
    ("url", "backend"),
    [("", "LocMemCache"), ("redis://127.0.0.1:6379/3", "RedisCache")],
)
def test_the_cache_is_shared_when_a_url_is_set(url, backend):
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = manage("shell", "-c", code, DJANGO_DEBUG="1", KTGS_CACHE_URL=url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(backend)


def test_make_run_serves_plain_http_with_debug_off():
    # `make run`'s environment: DEBUG off as users see it, on plain HTTP on this machine.
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.DEBUG, s.SECURE_SSL_REDIRECT,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)",
        DJANGO_DEBUG="0",
        KTGS_PLAIN_HTTP="1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(45),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    assert result.returncode == 0, result.stderr
    # The last line: Django 5.2's shell may first say what it imported.
    assert result.stdout.strip().splitlines()[-1].split() == [
        "False",
        "False",
        "False",
        "False",
        "0",
    ]
