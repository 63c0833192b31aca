"""Topics posted to Telegram channels: configured, synced, posted once per announcement."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.delivery.channel_posts import sync_channel_posts
from bot.delivery.channels import build_channels
from bot.service import Service, utc_now
from feeds.errors import ConfigError
from state import outbox
from state.db import open_db
from state.subscribers import (
    add_subscriber,
    find_by_address,
    get_subscriber,
    subscribe,
    subscriptions_of,
)
from tests.conftest import NOW, server_config, watched_sources
from tests.fakebotapi import FakeBotAPI

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def _posts_toml(fake: FakeBotAPI, posts: str) -> str:
    return f"""
[telegram]
enabled = true
token = "{fake.token}"
base_url = "{fake.base_url}"
base_file_url = "{fake.base_file_url}"
per_group_per_minute = 1200
{posts}
"""


CAPE_AND_ALL = """
[[telegram.channel_posts]]
topic = "ieepa_cape"
chat_id = -1001234567890
[[telegram.channel_posts]]
topic = "all"
chat_id = -1009999
language = "en"
"""


async def test_each_announcement_is_posted_once_to_each_channel_of_its_topics(tmp_path, feed_server):
    fake = await FakeBotAPI(group_per_minute=1000).start()
    config = server_config(tmp_path, feed_server, extra=_posts_toml(fake, CAPE_AND_ALL))
    db = open_db(config.service.database)
    watched_sources(db, config)  # the samples' items arrive as news
    try:
        for _ in range(2):  # the second run finds nothing new and posts nothing
            svc = Service(config, db, build_channels(config, db=db), clock=utc_now)
            await svc.cycle(force=True, time_limit=60)
            await svc.close()
        cape = find_by_address(db, "telegram", "-1001234567890")
        everything = find_by_address(db, "telegram", "-1009999")
        assert cape is not None and everything is not None and everything.language == "en"
        alerts = db.execute("SELECT count(*) FROM announcements WHERE alertable = 1").fetchone()[0]
        cape_rows = outbox.messages_for(db, cape.id)
        all_rows = outbox.messages_for(db, everything.id)
        assert len(all_rows) == alerts and 0 < len(cape_rows) < alerts
        assert all(r["status"] == "sent" for r in cape_rows + all_rows)
        assert fake.counts[-1001234567890] == len(cape_rows)  # one post per announcement
        assert fake.counts[-1009999] == len(all_rows)
        assert any("68396594" in m["visible"] for m in fake.messages[-1001234567890])
    finally:
        await fake.stop()


def test_the_configuration_manages_the_channels_it_created(tmp_path):
    db = open_db(tmp_path / "t.db")
    own = add_subscriber(db, name="公會頻道", channel="telegram", address="-100777", now=NOW)
    subscribe(db, own.id, "topic", "adcvd", now=NOW)

    def sync(toml: str):
        path = tmp_path / "c.toml"
        path.write_text('[telegram]\nenabled = true\ntoken = "1:x"\n' + toml, encoding="utf-8")
        sync_channel_posts(db, load_config(path).telegram.channel_posts, now=NOW)

    def topics(address: str) -> list[str]:
        sub = find_by_address(db, "telegram", address)
        assert sub is not None
        return [s.value or s.kind for s in subscriptions_of(db, sub.id)]

    first = (
        '[[telegram.channel_posts]]\ntopic = "ieepa_cape"\nchat_id = "@cape_tw"\n'
        '[[telegram.channel_posts]]\ntopic = "section_232"\nchat_id = "@cape_tw"\n'
        '[[telegram.channel_posts]]\ntopic = "ieepa_cape"\nchat_id = -100777\n'
    )
    sync(first)
    sync(first)  # idempotent
    assert topics("@cape_tw") == ["ieepa_cape", "section_232"]
    assert topics("-100777") == ["adcvd", "ieepa_cape"]  # its own topic kept

    sync('[[telegram.channel_posts]]\ntopic = "ieepa_cape"\nchat_id = "@cape_tw"\n')
    assert topics("@cape_tw") == ["ieepa_cape"]
    assert topics("-100777") == ["adcvd", "ieepa_cape"]  # not ours to prune

    sync("")
    cape = find_by_address(db, "telegram", "@cape_tw")
    assert cape is not None and cape.status == "paused"
    sync('[[telegram.channel_posts]]\ntopic = "ieepa_cape"\nchat_id = "@cape_tw"\n')
    back = get_subscriber(db, cape.id)
    assert back is not None and back.status == "active"
    own_now = get_subscriber(db, own.id)
    assert own_now is not None and own_now.status == "active"


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ('topic = "tariffs_everywhere"\nchat_id = "@x_channel"', "telegram.channel_posts[0].topic: unknown topic"),
        ('topic = "adcvd"\nchat_id = 12345', "telegram.channel_posts[0].chat_id: a channel is its numeric id"),
        ('topic = "adcvd"', "telegram.channel_posts[0].chat_id: Field required"),
    ],
)
def test_a_bad_channel_post_names_its_key(tmp_path, post, message):
    path = tmp_path / "c.toml"
    path.write_text(f"[[telegram.channel_posts]]\n{post}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert message in err.value.en
