"""Screenshots of pages as each demo user sees them, at desktop and phone widths.

Usage: python scripts/screenshots.py [--base http://127.0.0.1:8000] LOGIN:PATH [LOGIN:PATH ...]
LOGIN is a demo login (rupn, principal, prof1, eleve) or "anon". Files go to var/screenshots/.
"""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
LOGINS = {
    "rupn": "rupn@demo.pixorga.fr",
    "principal": "principal@demo.pixorga.fr",
    "prof1": "prof1@demo.pixorga.fr",
    "eleve": "eleve.demo",
}
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--password", default="pixorga-demo")
    parser.add_argument("--out", default="var/screenshots")
    parser.add_argument("shots", nargs="+")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        for shot in args.shots:
            who, path = shot.split(":", 1)
            for size_name, (width, height) in SIZES.items():
                page = browser.new_page(viewport={"width": width, "height": height})
                if who != "anon":
                    page.goto(args.base + "/accounts/login/")
                    page.fill("input[name=login]", LOGINS.get(who, who))
                    page.fill("input[name=password]", args.password)
                    page.click("button[type=submit]")
                page.goto(args.base + path)
                page.wait_for_load_state("networkidle")
                name = re.sub(r"[^a-z0-9]+", "-", f"{who}-{path}".lower()).strip("-")
                target = out / f"{name}-{size_name}.png"
                page.screenshot(path=str(target), full_page=True)
                print(target)
                page.close()
        browser.close()


if __name__ == "__main__":
    main()
