"""`python -m bench workshop --phones 40`: a room of phones through the real Streamlit server.

It builds a synthetic store with one workshop, starts the app with `streamlit run`, and connects
each phone through Streamlit's own websocket protocol (the BackMsg and ForwardMsg protobufs the
browser sends and receives). Each phone joins with the workshop's link, then answers every card
after a pause a person might take to read it, pressing the form's send button as a browser would;
the time from sending to the next card being drawn (the server's script_finished, with the next
card's caption among the elements) is what a young person waits. A projector session meanwhile
refreshes on the server's own timer (its fragment's auto-reruns). At the end the store is read
afresh: the answers stored must equal the answers sent.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from cl_metrics import session, store
from cl_metrics import workshop as ws
from cl_metrics.access import command_line
from cl_metrics.indicators import builtin
from synthetic.generate import write_store

ROOT = Path(__file__).resolve().parent.parent
CARD = re.compile(r"Card (\d+) of (\d+)")
FINISHED = "you have answered every card"
TARGET_P95_MS = 500


@dataclass
class Drawn:
    """What one script run put on the screen: widget ids by key, and the text of its elements."""
    widgets: dict[str, str] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    auto_rerun: tuple[float, str] | None = None

    def card(self) -> int | None:
        """The card on screen (1-based), None on the finished screen."""
        found = next((CARD.search(t) for t in self.texts if CARD.search(t)), None)
        return int(found.group(1)) if found else None

    def finished(self) -> bool:
        return any(FINISHED in t for t in self.texts)


class Browserless:
    """One browser tab, as the server sees it: a websocket speaking Streamlit's protocol."""

    def __init__(self, base: str, query: str, page: str):
        self.url = base.replace("http", "ws", 1) + "/_stcore/stream"
        self.origin, self.query, self.page = base, query, page
        self.socket = None

    async def __aenter__(self):
        self.socket = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                               origin=self.origin)
        return self

    async def __aexit__(self, *exc):
        await self.socket.close()

    async def run(self, states: list[WidgetState] = (), fragment: str | None = None) -> Drawn:
        """Ask for a script run (as a click or a timer does) and read what it draws until it finishes."""
        message = BackMsg()
        client = message.rerun_script
        client.query_string, client.page_name = self.query, self.page
        client.widget_states.widgets.extend(states)
        if fragment:
            client.fragment_id, client.is_auto_rerun = fragment, True
        await self.socket.send(message.SerializeToString())
        drawn = Drawn()
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.socket.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
                self._read(forward.delta.new_element, drawn)
            elif kind == "auto_rerun":
                drawn.auto_rerun = (forward.auto_rerun.interval, forward.auto_rerun.fragment_id)
            elif kind == "new_session":  # the script starts again (a rerun asked for by the page itself)
                drawn = Drawn()
            elif kind == "script_finished" and forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                return drawn

    @staticmethod
    def _read(element, drawn: Drawn) -> None:
        kind = element.WhichOneof("type")
        body = getattr(element, kind)
        if hasattr(body, "id") and body.id:
            key = body.id.rsplit("-", 1)[-1]  # a widget with a key: $$ID-<hash>-<key>
            drawn.widgets[key] = body.id
            if kind == "button":
                drawn.widgets[f"button:{body.label}"] = body.id
        if kind == "markdown":
            drawn.texts.append(body.body)
        elif kind == "alert":
            drawn.texts.append(body.body)


def pills(widget_id: str, label: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.string_array_value.data.append(label)
    return state


def press(widget_id: str) -> WidgetState:
    return WidgetState(id=widget_id, trigger_value=True)


async def phone(base: str, code: str, cards: int, pause: float, waits: list[float], sent: list[int],
                rng: random.Random) -> None:
    """One care leaver: join, then answer each card after reading it, as fast as a thumb allows."""
    async with Browserless(base, f"code={code}", "workshop") as tab:
        drawn = await tab.run()
        while (card := drawn.card()) is not None:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * pause)
            index = card - 1
            states = [pills(drawn.widgets[f"ws_matters_{index}"], rng.choice(list(ws.MATTERS.values()))),
                      pills(drawn.widgets[f"ws_fair_{index}"], "Fair and clear"),
                      press(drawn.widgets["button:Send my answer"])]
            started = time.perf_counter()
            drawn = await tab.run(states)
            waits.append((time.perf_counter() - started, card))
            sent.append(1)
            if drawn.card() == card or (drawn.card() is None and not drawn.finished()):
                raise RuntimeError(f"card {card} did not move on: {drawn.texts[:3]}")


async def projector(base: str, code: str, stop: asyncio.Event, refreshes: list[float]) -> None:
    """The room's screen: its fragment re-runs on the interval the server asks for."""
    async with Browserless(base, f"room={code}", "projector") as tab:
        drawn = await tab.run()
        if drawn.auto_rerun is None:
            raise RuntimeError("the projector view did not ask to be refreshed")
        interval, fragment = drawn.auto_rerun
        while not stop.is_set():
            await asyncio.sleep(interval)
            started = time.perf_counter()
            await tab.run(fragment=fragment)
            refreshes.append(time.perf_counter() - started)


async def room(base: str, code: str, phones: int, cards: int, pause: float, seed: int) -> dict:
    waits, sent, refreshes = [], [], []
    stop = asyncio.Event()
    screen = asyncio.create_task(projector(base, code, stop, refreshes))
    started = time.perf_counter()
    await asyncio.gather(*(phone(base, code, cards, pause, waits, sent, random.Random(seed + i))
                           for i in range(phones)))
    elapsed = time.perf_counter() - started
    stop.set()
    await screen
    return {"waits": waits, "sent": len(sent), "refreshes": refreshes, "elapsed": elapsed}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(path: Path, folder: Path):
    """`streamlit run app.py` on the store, in a folder of its own (no secrets: an open demo), with the
    project's server settings (.streamlit/config.toml) as the README's command runs it."""
    (folder / ".streamlit").mkdir(exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    port = _free_port()
    env = {**os.environ, "CL_STAFF_FILE": str(folder / "none.toml")}
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
                               str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                               "--browser.gatherUsageStats", "false", "--", "--db", str(path)],
                              cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2):
                return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("streamlit did not start")
            time.sleep(0.3)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench workshop", description=__doc__.split("\n\n")[0])
    parser.add_argument("--phones", type=int, default=40)
    parser.add_argument("--cards", type=int, default=4)
    parser.add_argument("--pause", type=float, default=4.0, help="seconds a person reads a card (0.5x to 1.5x)")
    parser.add_argument("--people", type=int, default=1500, help="young people in the synthetic store")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench_room_"))
    try:
        path = write_store(folder / "room.duckdb", people=args.people, seed=args.seed)
        opened = session.open_store(path)
        made = ws.create_workshop(opened, command_line(), "Bench room", builtin()[:args.cards])
        opened.connection.close()
        server, base = serve(path, folder)
        try:
            found = asyncio.run(room(base, made.join_code, args.phones, args.cards, args.pause, args.seed))
        finally:
            server.terminate()
            server.wait(timeout=30)
        con = store.connect(path, read_only=True)
        stored, people = con.execute("SELECT count(*), count(DISTINCT participant) FROM indicator_feedback "
                                     "WHERE workshop_id = ?", [made.id]).fetchone()
        con.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    waits = [w * 1000 for w, _ in found["waits"]]
    refreshes = [r * 1000 for r in found["refreshes"]]
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}; {args.phones} phones x {args.cards} cards through "
          f"`streamlit run` (websocket protocol), a pause of {args.pause:g} s a card, one projector refreshing")
    print(f"send -> next card on screen: p50 {percentile(waits, 0.5):.0f} ms, p95 {percentile(waits, 0.95):.0f} ms, "
          f"max {max(waits):.0f} ms over {len(waits)} answers (target p95 <= {TARGET_P95_MS} ms)")
    by_card = {}
    for wait, card in found["waits"]:
        by_card.setdefault(card, []).append(wait * 1000)
    print("  by card, ms:", {c: f"p50 {percentile(v, 0.5):.0f} p95 {percentile(v, 0.95):.0f}" for c, v in sorted(by_card.items())})
    if refreshes:
        print(f"projector refresh: p50 {percentile(refreshes, 0.5):.0f} ms, p95 {percentile(refreshes, 0.95):.0f} ms "
              f"over {len(refreshes)} refreshes")
    print(f"answers sent {found['sent']}, stored {stored}; phones {args.phones}, participants stored {people}; "
          f"the room took {found['elapsed']:.0f} s")
    return 0 if stored == found["sent"] and people == args.phones else 1
