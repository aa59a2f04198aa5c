"""Headless Chromium for the end-to-end tests: Debian's chromium and chromedriver, never a
browser or driver downloaded at run time (Selenium Manager is bypassed by giving the paths)."""

import os
import tempfile
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


# What every browser test module marks itself with (`pytestmark = BROWSER_MARKS`): a live
# server needs committed data, and without Chromium the test says how to install it (CI
# fails on any skip).
BROWSER_MARKS = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and "
                       "/usr/bin/chromedriver (apt-get install chromium chromium-driver)"),
]


def browser_start(width: int = 1440, height: int = 1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Both paths are given, so Selenium Manager has nothing to find; offline, it could not
    # download anything even if it were asked.
    os.environ.setdefault("SE_OFFLINE", "true")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="vetting-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                f"--window-size={width},{height}", "--lang=en-US",
                "--force-device-scale-factor=1"):
        options.add_argument(arg)
    # Console messages (CSP violations among them) for driver.get_log("browser").
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver._vetting_profile = profile
    return driver


def browser_stop(driver) -> None:
    import shutil

    profile = getattr(driver, "_vetting_profile", None)
    try:
        driver.quit()
    finally:
        if profile:
            shutil.rmtree(profile, ignore_errors=True)


def screenshot(driver, name: str, full_page: bool = True) -> Path:
    """Save a PNG of the page (the whole page height when full_page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    if full_page:
        width = driver.execute_script("return document.documentElement.clientWidth")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        original = driver.get_window_size()
        driver.set_window_size(original["width"], min(max(height + 120, 600), 6000))
        driver.save_screenshot(str(path))
        driver.set_window_size(original["width"], original["height"])
        del width
    else:
        driver.save_screenshot(str(path))
    return path


def viewport_set(driver, width: int, height: int) -> None:
    """Make the page's viewport (window.innerWidth x innerHeight) exactly this size: the
    window size includes the browser's own bars, whose height varies by version."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])
