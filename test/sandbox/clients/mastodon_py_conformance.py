"""Drives the sandbox with Mastodon.py (Debian's python3-mastodon) the way a
client we did not write would, and prints what it saw as one JSON object.
test/sandbox/conformance.test.ts runs it once per profile and asserts the
answers real Mastodon gives.

usage: mastodon_py_conformance.py <url> <bot token> <second user token>
"""
import json
import sys
import threading
import time

from mastodon import Mastodon, StreamListener
from mastodon.errors import MastodonAPIError

url, bot_token, anna_token = sys.argv[1:4]
report = {}


def outcome(call):
    """The status id a call returned, or the Mastodon.py error it raised."""
    try:
        result = call()
        return {"ok": True, "id": str(result["id"]) if result is not None and "id" in result else None}
    except MastodonAPIError as error:
        status = error.args[1] if len(error.args) > 1 else None
        message = error.args[3] if len(error.args) > 3 else None
        return {"ok": False, "error": type(error).__name__, "status": status, "message": message}


# version_check_mode "created" (the default) reads /api/v1/instance first.
bot = Mastodon(access_token=bot_token, api_base_url=url)
anna = Mastodon(access_token=anna_token, api_base_url=url)
me = bot.me()
report["me"] = {"acct": me["acct"], "bot": me["bot"]}
report["version"] = bot.retrieve_mastodon_version()

# Post with an idempotency key, and repeat it.
first = bot.status_post("Wartung beginnt um 22:00.", idempotency_key="wartung-start")
report["first"] = str(first["id"])
report["repeat"] = outcome(lambda: bot.status_post("Wartung beginnt um 22:00.", idempotency_key="wartung-start"))
report["statusesAfterRepeat"] = len(bot.account_statuses(me["id"], limit=40))

# Edit with status_update, and read the history.
bot.status_update(first["id"], status="Wartung beginnt um 22:00. Update: läuft.")
history = bot.status_history(first["id"])
report["history"] = [entry["content"] for entry in history]
report["source"] = bot.status_source(first["id"])["text"]

# Pin, pin the same status again, then pin up to the limit and one more.
pins = [outcome(lambda: bot.status_pin(first["id"]))]
report["pinAgain"] = outcome(lambda: bot.status_pin(first["id"]))
for n in range(5):
    status = bot.status_post(f"Angeheftet {n}")
    pins.append(outcome(lambda: bot.status_pin(status["id"])))
report["pins"] = pins

# Page notifications with types[] and min_id.
mentions = [anna.status_post(f"@b2c Frage {n}?") for n in range(4)]
everything = bot.notifications(types=["mention"])
oldest = min(everything, key=lambda n: int(n["id"]))
newer = bot.notifications(types=["mention"], min_id=oldest["id"], limit=2)
report["notifications"] = {
    "all": [n["status"]["content"] for n in everything],
    "minIdPage": [n["status"]["content"] for n in newer],
    "follows": len(bot.notifications(types=["follow"])),
}


# Stream the user stream.
class Collector(StreamListener):
    def __init__(self):
        self.events = []
        self.done = threading.Event()

    def on_notification(self, notification):
        self.events.append(["notification", notification["type"], notification["status"]["content"]])
        self.done.set()

    def on_update(self, status):
        self.events.append(["update", status["content"]])


collector = Collector()
handle = bot.stream_user(collector, run_async=True)
time.sleep(1.0)  # The server never acknowledges the subscription.
anna.status_post("@b2c Seid ihr schon fertig?")
collector.done.wait(10)
# No handle.close(): it blocks in the reader thread until the next 15 s
# heartbeat. The stream thread is a daemon and ends with the script.
report["streamAlive"] = handle.is_receiving()
report["stream"] = list(collector.events)

# Read the account's statuses.
pinned = bot.account_statuses(me["id"], pinned=True)
page = bot.account_statuses(me["id"], limit=3)
report["accountStatuses"] = {
    "pinned": len(pinned),
    "firstPage": len(page),
    "nextPage": len(bot.fetch_next(page) or []),
    "excludeReplies": len(bot.account_statuses(me["id"], exclude_replies=True, limit=40)),
}

print(json.dumps(report))
