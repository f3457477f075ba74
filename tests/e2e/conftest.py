"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live_server.

`playwright install` cannot download browsers here: Chromium comes from Debian (`make chromium`).
Playwright's sync API runs an event loop in the test thread, so Django refuses ORM calls from it
unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the live server runs in another thread and only sees
committed rows, hence `django_db(transaction=True)` in every test here.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("PIXORGA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORTS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


def pytest_collection_modifyitems(config, items):
    """Every test here is `e2e`; all are skipped, saying why, when Chromium is missing."""
    here = Path(__file__).parent
    missing = not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM))
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)
            if missing:
                item.add_marker(pytest.mark.skip(
                    reason=f"Chromium not found at {CHROMIUM} (run `make chromium`)"
                ))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "viewport": VIEWPORTS["desktop"]}


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def screenshot(page, artifacts):
    """screenshot("name") saves test-artifacts/name-desktop.png and name-phone.png."""

    def _shot(name: str) -> list[Path]:
        paths = []
        for size, viewport in VIEWPORTS.items():
            page.set_viewport_size(viewport)
            path = artifacts / f"{name}-{size}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        page.set_viewport_size(VIEWPORTS["desktop"])
        return paths

    return _shot


@pytest.fixture
def log_in(page, live_server):
    """Logs in through the real login form, as a person would."""

    def _log_in(login: str, password: str) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password)
        page.locator("form[action$=\"/accounts/login/\"] button[type=submit]").click()
        page.wait_for_load_state()

    return _log_in
