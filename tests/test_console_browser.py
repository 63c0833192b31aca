"""The association console in a real browser: headless Chromium driven by Selenium.

A secretary opens the one-time link, sees the pending 公文, approves one, edits and approves
another, and every member gets each forward exactly once (real SMTP). Screenshots of the
three main pages go to the test's folder, and to docs/ with TRADEALERT_SCREENSHOTS=docs.

Needs ``chromium`` and ``chromium-driver`` (Debian packages; ``.ci/run`` installs them).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import tempfile
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.associations import forwarding as assoc
from bot.cli.reach import console_login_url
from bot.config import load_config
from bot.delivery.channels import build_channels
from bot.service import Service
from bot.web.app import make_app, start_server
from feeds.factmodel import Facts
from feeds.model import Announcement
from state import announcements
from state import associations as store
from state.db import open_db
from state.subscribers import subscribe
from tests.conftest import NOW, write_config
from tests.smtpserver import SmtpServer, free_port, mail_config_toml

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and DRIVER) and not os.environ.get("CI"),
        reason="needs chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

ADMIN = "email:secretary@tva.org.tw"
MEMBERS = 12


class ServerThread:
    """The real HTTP side on its own event loop and database connection, as in production."""

    def __init__(self, db_path: Path, config, port: int) -> None:
        self.db_path, self.config, self.port = db_path, config, port
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None

    def _run(self) -> None:
        async def serve() -> None:
            self.loop, self.stop_event = asyncio.get_running_loop(), asyncio.Event()
            db = open_db(self.db_path)
            runner = await start_server(make_app(db, clock=lambda: NOW, config=self.config), f"127.0.0.1:{self.port}")
            self.ready.set()
            await self.stop_event.wait()
            await runner.cleanup()

        asyncio.run(serve())

    def __enter__(self) -> ServerThread:
        self.thread.start()
        assert self.ready.wait(15), "console server did not start"
        return self

    def __exit__(self, *exc) -> None:
        assert self.loop is not None and self.stop_event is not None
        self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(10)


def chromium():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    if CHROMIUM:
        options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1100,900", "--lang=zh-TW",
                 f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=DriverService(executable_path=DRIVER or "chromedriver"))
    driver.implicitly_wait(10)  # a click that submits a form returns before the next page is there on a busy machine
    return driver


def seed(db, config) -> tuple[store.Association, list[store.Forward]]:
    a = store.create_association(db, name="台灣區車輛工業同業公會", ref_prefix="車工", letterhead="台灣區車輛工業同業公會 函", now=NOW)
    store.add_admin(db, a.id, "email", ADMIN.split(":", 1)[1])
    subscribe(db, a.subscriber_id, "topic", "ieepa_cape", now=NOW)
    with db.atomic():
        for i in range(MEMBERS):
            store.add_member(db, a.id, f"會員廠商{i:02d}股份有限公司", [("email", f"m{i:02d}@member.tw")], now=NOW)
    forwards = []
    for n, title in ((68396594, "CAPE Phase 1 is now available in ACE"), (68315804, "GUIDANCE: CAPE Phase 1 deployment")):
        ann = Announcement(
            key=f"csms:{n}", source="cbp", kind="csms_rss", ext_id=str(n), published=NOW,
            title=f"CSMS # {n} - {title}", url=f"https://content.govdelivery.com/accounts/USDHSCBP/bulletins/{n:x}",
        )  # fmt: skip
        with db.atomic():
            announcements.store_new(db, [ann], now=NOW, alertable_after=NOW - timedelta(days=1))
            announcements.mark_matched(db, ann.key, now=NOW, topics=["ieepa_cape"], facts=Facts(),
                                       summary_zh="CAPE 第一階段已上線，進口商可於 ACE 申報退還 IEEPA 關稅。\n線上說明會：4/22（三）01:00 台北時間")  # fmt: skip
        forwards.append(assoc.forward_alert(db, config, a.subscriber_id, ann.key, NOW).forward)
    return a, forwards


async def deliver(config, db) -> None:
    svc = Service(config, db, build_channels(config, db=db), clock=lambda: NOW, rng=random.Random(1))
    for k in range(3):
        await svc.drain(NOW + timedelta(minutes=k))
    await svc.close()


def test_secretary_logs_in_approves_and_edits_in_a_browser(tmp_path):
    from selenium.webdriver.common.by import By

    shots = [tmp_path]
    if os.environ.get("TRADEALERT_SCREENSHOTS"):
        shots.append(Path(os.environ["TRADEALERT_SCREENSHOTS"]))
    port = free_port()
    with SmtpServer() as smtp:
        path = write_config(
            tmp_path, f'[service]\ndatabase = "{tmp_path / "b.db"}"\n[console]\nenabled = false\n'
            + mail_config_toml(smtp.port, http_port=port, batch=1000),
        )  # fmt: skip
        config = load_config(path)
        db = open_db(config.service.database)
        a, (first, second) = seed(db, config)
        login = console_login_url(db, config, a.id, ADMIN, NOW)
        with ServerThread(Path(config.service.database), config, port):
            browser = chromium()
            try:
                browser.get(login)
                assert browser.current_url.endswith("/console/")
                page = browser.page_source
                assert first.ref_no in page and second.ref_no in page
                for folder in shots:
                    browser.save_screenshot(str(folder / "console-pending.png"))
                browser.get(login)  # the same link again: refused
                assert "無效、已使用過或已過期" in browser.page_source
                browser.get(f"http://127.0.0.1:{port}/console/")  # still logged in from the first use

                card = browser.find_element(By.ID, f"forward-{first.id}")
                card.find_element(By.NAME, "approve").click()
                assert "已核可：12 則" in browser.find_element(By.CSS_SELECTOR, ".flash").text

                browser.find_element(By.ID, f"forward-{second.id}").find_element(By.LINK_TEXT, "編輯").click()
                box = browser.find_element(By.ID, "body")
                box.clear()
                box.send_keys("一、CAPE 第一階段已上線，請會員廠商留意申報期限。\n二、本會將於 5 月舉辦說明會。")
                browser.find_element(By.NAME, "save").click()
                assert "已修改並核可" in browser.find_element(By.CSS_SELECTOR, ".flash").text
                assert "目前沒有待核可的轉知" in browser.page_source

                asyncio.run(deliver(config, db))  # the service's drain sends the members' copies
                browser.get(f"http://127.0.0.1:{port}/console/members")
                assert "會員廠商00股份有限公司" in browser.page_source
                for folder in shots:
                    browser.save_screenshot(str(folder / "console-members.png"))
                browser.get(f"http://127.0.0.1:{port}/console/audit")
                assert first.ref_no in browser.page_source and ADMIN in browser.page_source
                assert "已送達" in browser.page_source and "待寄" not in browser.page_source
                for folder in shots:
                    browser.save_screenshot(str(folder / "console-audit.png"))
            finally:
                browser.quit()

        asyncio.run(deliver(config, db))  # nothing more: each member has each forward once
        member_mail = [m for m in smtp.box.messages if m["To"].endswith("@member.tw")]
    per_member = Counter(m["To"] for m in member_mail)
    assert len(per_member) == MEMBERS and set(per_member.values()) == {2}  # two forwards, each once
    edited = [m for m in member_mail if second.ref_no in m.get_body(("plain",)).get_content()]
    assert len(edited) == MEMBERS and all("本會將於 5 月舉辦說明會" in m.get_body(("plain",)).get_content() for m in edited)
    assert store.require_forward(db, first.id).decided_by == ADMIN
    assert (tmp_path / "console-pending.png").stat().st_size > 5000
