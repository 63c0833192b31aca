"""The LINE webhook as an attacker (or LINE's own redelivery) tries it: the same signed events
twice, an old signed body replayed, binding codes guessed at speed. (docs/SECURITY.md)"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from feeds.errors import UserError
from state.db import open_db
from state.line import CODE_FAILURES_PER_HOUR, create_link_code, first_delivery, redeem_link_code
from state.subscribers import add_subscriber, find_by_address, get_subscriber, subscriptions_of
from tests import test_line_webhook
from tests.conftest import NOW
from tests.fakeline import user_id
from tests.test_line_webhook import event, sign

line_env = test_line_webhook.line_env  # the webhook on a real server, with a fake LINE API


async def test_a_redelivered_event_is_applied_once(line_env):
    fake, db, hook, _ = line_env
    u = user_id(20)
    body = json.dumps({"destination": "Ubot", "events": [event("message", u, "主題 ieepa_cape")]}).encode()
    assert await hook.post(raw=body, signature=sign(body)) == 200
    sub = find_by_address(db, "line", u)
    assert sub is not None and [(s.kind, s.value) for s in subscriptions_of(db, sub.id)] == [("topic", "ieepa_cape")]
    replies = len(fake.replies)
    # LINE redelivers when our answer was slow; anyone holding the body can replay it. Before:
    # the toggle ran again and removed the topic the user had just added.
    redelivered = json.loads(body)
    redelivered["events"][0]["deliveryContext"]["isRedelivery"] = True
    again = json.dumps(redelivered).encode()
    assert await hook.post(raw=again, signature=sign(again)) == 200
    assert await hook.post(raw=body, signature=sign(body)) == 200
    assert [(s.kind, s.value) for s in subscriptions_of(db, sub.id)] == [("topic", "ieepa_cape")]
    assert len(fake.replies) == replies  # no second answer either


async def test_a_signed_body_older_than_the_remembered_ids_changes_nothing(line_env):
    fake, db, hook, _ = line_env
    u = user_id(21)
    old = event("message", u, "停止")
    old["timestamp"] -= int(timedelta(days=8).total_seconds() * 1000)  # captured a week ago and more
    assert await hook.post(old) == 200
    assert find_by_address(db, "line", u) is None and fake.replies == []


def test_a_failed_event_is_not_remembered_so_its_redelivery_applies_it(tmp_path):
    db = open_db(tmp_path / "e.db")
    try:
        with db.atomic():
            assert first_delivery(db, "01JEVENT", NOW)
            raise RuntimeError("the event's work failed")
    except RuntimeError:
        pass
    with db.atomic():
        assert first_delivery(db, "01JEVENT", NOW)  # applied now
    assert not first_delivery(db, "01JEVENT", NOW)


async def test_binding_codes_cannot_be_guessed_at_speed(line_env):
    fake, db, hook, _ = line_env
    firm = add_subscriber(db, name="永信報關行", channel="email", address="ops@yongxin.tw", now=NOW)
    code = create_link_code(db, firm.id, now=NOW, ttl=timedelta(days=3))
    guesser = user_id(22)
    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD", "EEEE-EEEE")[:CODE_FAILURES_PER_HOUR]:
        await hook.say(guesser, guess)
        assert "無效" in fake.reply_texts()[-1]
    await hook.say(guesser, code)  # the right one, after too many wrong ones: refused all the same
    assert "次數過多" in fake.reply_texts()[-1]
    assert get_subscriber(db, firm.id).channel == "email"  # type: ignore[union-attr]
    # Another LINE user is not held up by the guesser, and the code still works for them.
    await hook.say(user_id(23), code)
    assert "永信報關行" in fake.reply_texts()[-1]


def test_the_guess_limit_lifts_after_an_hour(tmp_path):
    db = open_db(tmp_path / "g.db")
    firm = add_subscriber(db, name="永信報關行", channel="email", address="ops@yongxin.tw", now=NOW)
    code = create_link_code(db, firm.id, now=NOW, ttl=timedelta(days=3))
    u = user_id(24)
    for _ in range(CODE_FAILURES_PER_HOUR):
        with pytest.raises(UserError, match="unknown"):
            redeem_link_code(db, "ZZZZ-ZZZZ", u, now=NOW)
    with pytest.raises(UserError, match="too many"):
        redeem_link_code(db, code, u, now=NOW + timedelta(minutes=59))
    later = NOW + timedelta(hours=1, minutes=1)
    assert redeem_link_code(db, code, u, now=later).address == u
