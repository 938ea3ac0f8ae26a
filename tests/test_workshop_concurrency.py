"""Many phones at once through one server: 40 participants x 20 votes from threads against one
OpenStore, while the facilitator's live view keeps reading. Exactly 800 rows, no error, and a
second round of changed answers replaces the first rather than adding to it."""
from __future__ import annotations

import statistics
import threading
import time


from cl_metrics import workshop as ws
from cl_metrics.indicators import builtin
from tests.conftest import ANALYST, FACILITATOR

PARTICIPANTS, CARDS = 40, 20



def vote_all_at_once(opened, room, level_of) -> tuple[list[float], list[BaseException], int]:
    """Every participant in its own thread, all released together; the live view reads meanwhile."""
    start = threading.Barrier(PARTICIPANTS + 1)
    done = threading.Event()
    latencies, errors, reads = [], [], [0]

    def participant(person: int) -> None:
        token = f"token-{person}"
        try:
            start.wait()
            for card, indicator_id in enumerate(room.indicator_ids):
                began = time.perf_counter()
                ws.submit(opened, room.id, token, indicator_id, matters=level_of(person, card), fair="yes",
                          comment=f"person {person} card {card}")
                latencies.append(time.perf_counter() - began)
        except BaseException as exc:  # any failure in a thread must fail the test
            errors.append(exc)

    def facilitator() -> None:
        start.wait()
        try:
            while not done.is_set():
                ws.results(opened.cursor(), ANALYST, room, {}, "workshop")
                reads[0] += 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=participant, args=(p,)) for p in range(PARTICIPANTS)]
    watcher = threading.Thread(target=facilitator)
    for thread in (*threads, watcher):
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    watcher.join(timeout=30)
    return latencies, errors, reads[0]


def report(capsys, label: str, latencies: list[float], reads: int) -> None:
    ms = sorted(1000 * x for x in latencies)
    p50, p95 = statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]
    with capsys.disabled():
        print(f"\n{label}: {len(ms)} submissions from {PARTICIPANTS} threads, latency p50 {p50:.1f} ms, "
              f"p95 {p95:.1f} ms, max {ms[-1]:.1f} ms; live view read the results {reads} times meanwhile")


def test_forty_participants_twenty_votes_each_at_once(opened, capsys):
    room = ws.create_workshop(opened, FACILITATOR, "Busy room", builtin()[:CARDS])
    assert len(room.indicator_ids) == CARDS
    latencies, errors, reads = vote_all_at_once(opened, room, lambda person, card: 1 + (person + card) % 5)
    report(capsys, "first round", latencies, reads)
    assert errors == []
    con = opened.cursor()
    assert con.execute("SELECT count(*), count(DISTINCT participant), count(DISTINCT indicator_id) "
                       "FROM indicator_feedback").fetchone() == (PARTICIPANTS * CARDS, PARTICIPANTS, CARDS)
    assert con.execute("SELECT count(*) FROM (SELECT participant, indicator_id FROM indicator_feedback "
                       "GROUP BY ALL HAVING count(*) > 1)").fetchone() == (0,)
    summary = ws.results(con, ANALYST, room, {}, "workshop").summary
    assert (summary["Answers"] == str(PARTICIPANTS)).all()
    assert (summary[[f"Matters: {label}" for label in ws.MATTERS.values()]] == PARTICIPANTS // 5).all().all()

    latencies, errors, reads = vote_all_at_once(opened, room, lambda person, card: 5)  # everyone changes their mind
    report(capsys, "second round (replacing answers)", latencies, reads)
    assert errors == []
    assert con.execute("SELECT count(*), min(matters), max(matters) FROM indicator_feedback").fetchone() == (
        PARTICIPANTS * CARDS, 5, 5)
