"""Load benchmark: many review rooms at once against a real multi-process Debrief on loopback.

    .venv/bin/python -m benchmarks.load [--rooms 20] [--readers 160] [--seconds 30] [--only pg-2]

For each configuration (SQLite or PostgreSQL × 1 or 2 app processes; always Redis for events and
the job queue, one `debrief worker`, a Chroma server and one shared OpenAI-compatible model
server, so only the database and the process count change) it runs, for `--seconds`:

- `--readers` connections each reading a review room (`GET /api/reviews/{id}`, the whole review)
  once a second — the room's read path; with `--conditional` each sends back the ETag of its last
  answer as If-None-Match, as a browser's cache does, and a 304 counts as a read (without it, every
  read asks for the whole body, as a script with a plain HTTP client does);
- with `--page`, the readers act as the room page does instead (web/static/room.js): each holds
  the room's events socket (a new segment's row is built from its event, no read) and reads the
  whole transcript list (`GET /reviews/{id}/transcript`) every 30 s, sending back the ETag of its
  last one; rooms start with `--transcript` segments (default 3; an hour's call is ~600);
- two WebSocket listeners per room, each on a different app process when there are two;
- one typed transcript line per room per second, posted to an app process (alternating), whose
  arrival at every listener of the room is timed (event delivery, across processes when there
  are two);
- a draft request every `--draft-every` seconds (the model server is shared by all processes);
- `--uploads` uploaded recordings (14 s of speech each) transcribed by the worker meanwhile.

The worker and the model server run at nice 10 (`--background-nice`), as the reference systemd
units in docs/deploy/ run them: they are batch work, and on shared cores the room's reads and
events must not queue behind them. `--background-nice 0` runs them at the apps' priority;
`--background-idle` also puts them in a CPU cgroup marked idle (what systemd's `CPUWeight=idle` makes
for a unit). Each run reports draft latency and how many drafts came back model-written (grounded)
or extractive (the model's answer failed the checks or ran past its budget).

It then checks that every posted line reached every listener of its room exactly once, and that
every upload's segments are stored once. Bounded in count and time; prints a table and writes
`benchmarks/reports/load.json`. The load generator runs on the same 2 cores as the service: the
figures are for the whole machine, generator included, and each run reports how the cores were
shared (CPU used, and time spent waiting for a core, by process).

The generator is aiohttp since December 2026 (it was httpx's AsyncClient, which cost ~5 ms of CPU
per request on these shared cores); the workload is identical: the same requests, with the same
headers, bodies, timing and checks.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import redis
from websockets.asyncio.client import connect

from benchmarks.cluster import Cluster, free_port, wait_http
from benchmarks.report import cpu_row, ms, row, table
from benchmarks.rooms import LINES, Room, drop_schema, make_rooms, scratch_database
from service.llm.model import default_model
from service.settings import Settings

REPORTS = Path(__file__).resolve().parent / "reports"
TICKS = os.sysconf("SC_CLK_TCK")
OTHER = "other (not Debrief)"


@dataclass
class Tally:
    reads: list[float] = field(default_factory=list)
    read_errors: int = 0
    not_modified: int = 0  # reads answered 304 (only with --conditional)
    sent: dict[str, tuple[int, float]] = field(default_factory=dict)  # marker -> (room index, time sent)
    posted: set[str] = field(default_factory=set)
    received: dict[tuple[int, str], list[float]] = field(default_factory=dict)  # (listener, marker) -> arrivals
    listener_room: dict[int, int] = field(default_factory=dict)
    post_errors: int = 0
    drafts: list[float] = field(default_factory=list)
    draft_grounding: dict[str, int] = field(default_factory=dict)  # grounded (model text) / extractive / unverified
    draft_errors: dict[int, int] = field(default_factory=dict)
    lists: list[float] = field(default_factory=list)  # whole transcript lists read (--page), also in reads
    page_events: int = 0  # events the page readers' sockets received (--page)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--readers", type=int, default=160)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--draft-every", type=float, default=3.0)
    parser.add_argument("--uploads", type=int, default=4)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument(
        "--conditional",
        action="store_true",
        help="readers send the last ETag back as If-None-Match (as a browser does); 304s count as reads",
    )
    parser.add_argument(
        "--page",
        action="store_true",
        help="readers act as the room page does: each holds the room's events socket and reads the whole "
        "transcript list every 30 s",
    )
    parser.add_argument("--transcript", type=int, default=3, help="segments in each room's transcript at the start")
    parser.add_argument("--only", action="append", help="sqlite-1, sqlite-2, pg-1 or pg-2 (repeatable)")
    parser.add_argument(
        "--background-nice",
        type=int,
        default=10,
        help="CPU priority (nice) of the worker and the model server, as in docs/deploy's units; 0 = same as the apps",
    )
    parser.add_argument(
        "--background-idle",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="also put the worker and the model server in an idle CPU cgroup (what systemd's CPUWeight=idle "
        "makes); needs root and Linux 5.15+. Tried 2026-12-05, not adopted (docs/deploy.md)",
    )
    args = parser.parse_args()
    configs = [("sqlite", 1), ("sqlite", 2), ("pg", 1), ("pg", 2)]
    if args.only:
        configs = [c for c in configs if f"{c[0]}-{c[1]}" in args.only]
    speech = _speech()
    results = []
    for database, processes in configs:
        print(f"== {database}, {processes} app process(es)", flush=True)
        results.append(run_config(database, processes, args, speech))
        print(row(results[-1]), flush=True)
        print(cpu_row(results[-1]), flush=True)
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "load.json").write_text(json.dumps(results, indent=2))
    print("\n" + table(results))


def run_config(database: str, processes: int, args: argparse.Namespace, speech: Path) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="debrief-load-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        schema, url = scratch_database(database, args.postgres, data_dir)
        redis.Redis.from_url(args.redis).flushdb()
        cluster = Cluster.configure(data_dir, database_url=url, queue_url=args.redis, events_url=args.redis)
        try:
            cluster.run("migrate")
            settings = Settings(data_dir=data_dir, database={"url": url})
            rooms = make_rooms(settings, args.rooms, segments=args.transcript)
            cluster.start_chroma()
            _start_model_server(cluster, nice=args.background_nice, cpu_idle=args.background_idle)
            bases = [cluster.start_app(f"app-{i}") for i in range(processes)]
            cluster.start_worker("worker", nice=args.background_nice, cpu_idle=args.background_idle)
            tally, uploads, elapsed, cpu = asyncio.run(_load(bases, rooms, args, speech, cluster))
            upload_check = _check_uploads(bases[0], rooms, uploads)
        finally:
            cluster.stop()
            if schema:
                drop_schema(args.postgres, schema)
    return _summary(database, processes, args, tally, elapsed, upload_check) | {"cpu_use": cpu}


async def _load(
    bases: list[str], rooms: list[Room], args: argparse.Namespace, speech: Path, cluster: Cluster
) -> tuple[Tally, list[tuple[int, int]], float, dict[str, dict[str, float]]]:
    tally = Tally()
    stop = asyncio.Event()
    # aiohttp, not httpx: the generator shares the cores it measures, and httpx's AsyncClient cost
    # about 5 ms of CPU per request here (0.46 of 2 cores at ~85 requests/s). Scripts that sign in
    # with a token keep no cookies.
    connector = aiohttp.TCPConnector(limit=args.readers + 50, limit_per_host=0)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, cookie_jar=aiohttp.DummyCookieJar()
    ) as client:
        listeners = []
        for index, room in enumerate(rooms):
            for side in range(2):
                listener_id = 2 * index + side
                tally.listener_room[listener_id] = index
                ready = asyncio.Event()
                listeners.append(
                    asyncio.create_task(_listen(bases[side % len(bases)], room, listener_id, tally, ready, stop))
                )
                await ready.wait()
        uploads = await asyncio.gather(
            *[_upload(client, bases[i % len(bases)], rooms[i % len(rooms)], speech) for i in range(args.uploads)]
        )
        cpu_before, started = cpu_by_process(cluster), time.perf_counter()
        read = _page_reader if args.page else partial(_reader, conditional=args.conditional)
        tasks = [asyncio.create_task(read(client, bases[i % len(bases)], rooms[i % len(rooms)], tally, stop))
                 for i in range(args.readers)]  # fmt: skip
        tasks += [asyncio.create_task(_pusher(client, bases, rooms, i, tally, stop)) for i in range(len(rooms))]
        tasks.append(asyncio.create_task(_drafter(client, bases, rooms, args.draft_every, tally, stop)))
        await asyncio.sleep(args.seconds)
        stop.set()
        await asyncio.gather(*tasks)
        cpu_after, elapsed = cpu_by_process(cluster), time.perf_counter() - started
        await asyncio.sleep(3)  # let the last events arrive
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
    use = {}
    for name, (cpu, wait) in sorted(
        cpu_after.items(), key=lambda item: -(item[1][0] - cpu_before.get(item[0], (0, 0))[0])
    ):
        cpu_was, wait_was = cpu_before.get(name, (0.0, 0.0))
        use[name] = {"cores": round((cpu - cpu_was) / elapsed, 2), "waiting": round((wait - wait_was) / elapsed, 2)}
    # Other processes can start and end within the run (another user's tests), and a process that has
    # ended is in neither reading: count "other" as what the machine did beyond the named processes.
    named = sum(u["cores"] for name, u in use.items() if name not in (OTHER, "machine busy", "machine idle"))
    use.setdefault(OTHER, {"cores": 0.0, "waiting": 0.0})["cores"] = round(use["machine busy"]["cores"] - named, 2)
    return tally, [u for u in uploads if u], elapsed, use


def cpu_by_process(cluster: Cluster) -> dict[str, tuple[float, float]]:
    """Seconds of CPU used (user + system) and seconds spent runnable but waiting for a CPU, so far,
    by process: the cluster's own (each with its children, e.g. uvicorn's app processes; waits
    summed over threads), PostgreSQL, Redis, this load generator, and everything else on the
    machine (other users of the same cores). Read from /proc; Linux only."""
    groups = {process.pid: name for name, process in cluster.processes.items()}  # each leads its own group
    totals: dict[str, tuple[float, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            waited = sum(int(t.read_text().split()[1]) for t in stat.parent.glob("task/*/schedstat")) / 1e9
        except OSError:  # exited meanwhile
            continue
        command, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
        name = groups.get(int(fields[2]))
        if name is None:
            name = (
                "load generator" if int(stat.parent.name) == os.getpid()
                else "postgresql" if command.startswith("postgres")
                else "redis" if command.startswith("redis")
                else OTHER
            )  # fmt: skip
        cpu, wait = totals.get(name, (0.0, 0.0))
        totals[name] = (cpu + (int(fields[11]) + int(fields[12])) / TICKS, wait + waited)
    # The whole machine, kernel included: busy is everything but idle and I/O wait.
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    totals["machine idle"] = ((ticks[3] + ticks[4]) / TICKS, 0.0)
    totals["machine busy"] = ((sum(ticks[:8]) - ticks[3] - ticks[4]) / TICKS, 0.0)
    return totals


async def _reader(
    client: aiohttp.ClientSession, base: str, room: Room, tally: Tally, stop: asyncio.Event, *, conditional: bool
) -> None:
    headers = {"Authorization": f"Bearer {room.token}"}
    await asyncio.sleep(hash(base + str(room.review_id)) % 1000 / 1000)  # spread the first reads
    while not stop.is_set():
        began = time.perf_counter()
        _, etag = await _timed_read(client, f"{base}/api/reviews/{room.review_id}", headers, tally)
        if conditional and etag:
            # As a browser's cache does with a response it may keep but must revalidate.
            headers["If-None-Match"] = etag
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - began)))


async def _page_reader(client: aiohttp.ClientSession, base: str, room: Room, tally: Tally, stop: asyncio.Event) -> None:
    """Act as the room page does (web/static/room.js): hold the events socket, whose segment events
    the page turns into rows without a read, and read the whole list every 30 s with the ETag of the
    last one, as the browser's cache revalidates it."""
    auth = {"Authorization": f"Bearer {room.token}"}
    whole = f"{base}/reviews/{room.review_id}/transcript"
    etag = None
    async with connect(f"ws{base[4:]}/api/reviews/{room.review_id}/events", additional_headers=auth) as socket:

        async def drain() -> None:
            async for _message in socket:
                tally.page_events += 1

        draining = asyncio.create_task(drain())
        # People open their room's page at different moments: each page's 30 s re-reads start apart.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), random.uniform(0, 30))
        while not stop.is_set():
            began = time.perf_counter()
            took, tag = await _timed_read(client, whole, auth | ({"If-None-Match": etag} if etag else {}), tally)
            if took is not None:
                tally.lists.append(took)
            etag = tag or etag
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, 30.0 - (time.perf_counter() - began)))
        draining.cancel()


async def _timed_read(
    client: aiohttp.ClientSession, url: str, headers: dict[str, str], tally: Tally
) -> tuple[float | None, str | None]:
    """GET ``url`` and tally its latency (a 200 or a 304) or its error; return the latency and the ETag."""
    began = time.perf_counter()
    try:
        async with client.get(url, headers=headers) as response:
            await response.read()
    except (aiohttp.ClientError, TimeoutError):
        tally.read_errors += 1
        return None, None
    if response.status not in (200, 304):
        tally.read_errors += 1
        return None, None
    tally.reads.append(time.perf_counter() - began)
    tally.not_modified += response.status == 304
    return tally.reads[-1], response.headers.get("ETag")


async def _pusher(
    client: aiohttp.ClientSession, bases: list[str], rooms: list[Room], index: int, tally: Tally, stop: asyncio.Event
) -> None:
    room = rooms[index]
    headers = {"Authorization": f"Bearer {room.token}"}
    sequence = 0
    await asyncio.sleep(index / len(rooms))
    while not stop.is_set():
        marker = f"m{index}x{sequence}"
        base = bases[sequence % len(bases)]
        line = {"speaker": "Load", "text": f"{LINES[sequence % 3]} [{marker}]",
                "start_s": float(sequence), "end_s": sequence + 0.9, "source_key": f"load:{marker}"}  # fmt: skip
        began = time.perf_counter()
        tally.sent[marker] = (index, began)
        try:
            url = f"{base}/api/reviews/{room.review_id}/segments"
            async with client.post(url, json={"segments": [line]}, headers=headers) as response:
                await response.read()
            if response.status == 201:
                tally.posted.add(marker)
            else:
                tally.post_errors += 1
        except (aiohttp.ClientError, TimeoutError):
            tally.post_errors += 1
        sequence += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - began)))


async def _listen(
    base: str, room: Room, listener_id: int, tally: Tally, ready: asyncio.Event, stop: asyncio.Event
) -> None:
    url = f"ws{base[4:]}/api/reviews/{room.review_id}/events"
    async with connect(url, additional_headers={"Authorization": f"Bearer {room.token}"}) as socket:
        json.loads(await socket.recv())  # subscribed
        ready.set()
        async for message in socket:
            arrived = time.perf_counter()
            event = json.loads(message)
            if event.get("type") != "segment":
                continue
            body = event["segment"]["text"]
            if body.endswith("]") and "[m" in body:
                marker = body[body.rindex("[") + 1 : -1]
                tally.received.setdefault((listener_id, marker), []).append(arrived)


async def _drafter(
    client: aiohttp.ClientSession, bases: list[str], rooms: list[Room], every: float, tally: Tally, stop: asyncio.Event
) -> None:
    count = 0
    while not stop.is_set():
        room = rooms[count % len(rooms)]
        began = time.perf_counter()
        try:
            async with client.post(
                f"{bases[count % len(bases)]}/api/failures/{room.failure_id}/drafts/generate",
                json={"question": 1},
                headers={"Authorization": f"Bearer {room.token}"},
                timeout=aiohttp.ClientTimeout(total=60),
            ) as response:
                body = await response.read()
            if response.status in (200, 201):
                tally.drafts.append(time.perf_counter() - began)
                # A model answer past its budget becomes the extractive draft: count which one came back.
                grounding = str(json.loads(body).get("grounding", "?"))
                tally.draft_grounding[grounding] = tally.draft_grounding.get(grounding, 0) + 1
            else:
                tally.draft_errors[response.status] = tally.draft_errors.get(response.status, 0) + 1
        except (aiohttp.ClientError, TimeoutError):
            tally.draft_errors[0] = tally.draft_errors.get(0, 0) + 1
        count += 1
        # Wake at once when the run ends, however long the gap between drafts.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, every - (time.perf_counter() - began)))


async def _upload(client: aiohttp.ClientSession, base: str, room: Room, speech: Path) -> tuple[int, int] | None:
    async with client.post(
        f"{base}/api/reviews/{room.review_id}/recordings",
        params={"filename": "call.wav"},
        data=speech.read_bytes(),
        headers={"Authorization": f"Bearer {room.token}"},
    ) as response:
        body = await response.json() if response.status == 201 else None
    return (room.review_id, body["id"]) if body else None


def _check_uploads(base: str, rooms: list[Room], uploads: list[tuple[int, int]]) -> dict[str, Any]:
    """Wait for the upload jobs; every stored upload segment must be there once."""
    tokens = {room.review_id: room.token for room in rooms}
    deadline = time.monotonic() + 300
    finished, duplicated, segments = 0, 0, 0
    for review_id, recording_id in uploads:
        headers = {"Authorization": f"Bearer {tokens[review_id]}"}
        recording: dict[str, Any] = {"status": "unread", "segments": 0}
        while time.monotonic() < deadline:
            try:
                url = f"{base}/api/reviews/{review_id}/recordings/{recording_id}"
                recording = httpx.get(url, headers=headers, timeout=30).json()
            except httpx.HTTPError as exc:  # a slow answer is a figure of its own, not the end of the run
                print(f"   (progress read failed: {exc!r}; retrying)", flush=True)
                time.sleep(1)
                continue
            if recording["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        finished += recording["status"] == "done"
        stored = httpx.get(f"{base}/api/reviews/{review_id}/segments", headers=headers, timeout=60).json()
        mine = [s for s in stored if s["source"] == "upload"]
        keys = [(s["start_s"], s["text"]) for s in mine]
        duplicated += len(keys) - len(set(keys))
        segments += len(mine)
        if len(mine) != recording["segments"]:
            duplicated += abs(len(mine) - recording["segments"])
    return {"uploads": len(uploads), "finished": finished, "segments": segments, "duplicated": duplicated}


def _summary(
    database: str, processes: int, args: argparse.Namespace, tally: Tally, elapsed: float, uploads: dict[str, Any]
) -> dict[str, Any]:
    delays, lost, duplicated = [], 0, 0
    for marker in tally.posted:
        room, sent = tally.sent[marker]
        for listener_id in (2 * room, 2 * room + 1):
            arrivals = tally.received.get((listener_id, marker), [])
            if not arrivals:
                lost += 1
                continue
            duplicated += len(arrivals) - 1
            delays.append(arrivals[0] - sent)
    return {
        "config": f"{database}-{processes}",
        "database": database,
        "app_processes": processes,
        "rooms": args.rooms,
        "background_nice": args.background_nice,
        "background_idle": args.background_idle,
        "connections": args.readers + 2 * args.rooms,
        "seconds": round(elapsed, 1),
        "reads": len(tally.reads),
        "reads_per_s": round(len(tally.reads) / elapsed, 1),
        "read_errors": tally.read_errors,
        "conditional": args.conditional,
        "reads_not_modified": tally.not_modified,
        "read_p50_ms": ms(tally.reads, 0.5),
        "read_p95_ms": ms(tally.reads, 0.95),
        "page": args.page,
        "transcript_segments": args.transcript,
        "whole_lists": len(tally.lists),
        "whole_list_p50_ms": ms(tally.lists, 0.5),
        "whole_list_p95_ms": ms(tally.lists, 0.95),
        "page_events": tally.page_events,
        "lines_posted": len(tally.posted),
        "post_errors": tally.post_errors,
        "deliveries": len(delays),
        "delivery_p50_ms": ms(delays, 0.5),
        "delivery_p95_ms": ms(delays, 0.95),
        "lost": lost,
        "duplicated": duplicated,
        "drafts": len(tally.drafts),
        "draft_p50_ms": ms(tally.drafts, 0.5),
        "draft_p95_ms": ms(tally.drafts, 0.95),
        "draft_grounding": tally.draft_grounding,
        "draft_errors": tally.draft_errors,
        "upload_check": uploads,
    }


def _start_model_server(cluster: Cluster, *, nice: int, cpu_idle: bool) -> None:
    """One OpenAI-compatible model server shared by every app process, as a deployment would run it."""
    model = default_model()
    port = free_port()
    cluster._spawn("llm", [sys.executable, "-m", "llama_cpp.server", "--model", str(model.path),
                           "--model_alias", model.name, "--host", "127.0.0.1", "--port", str(port),
                           "--n_ctx", "2048", "--n_threads", "1"], nice=nice, cpu_idle=cpu_idle)  # fmt: skip
    cluster.env.update(DEBRIEF_LLM_BASE_URL=f"http://127.0.0.1:{port}/v1", DEBRIEF_LLM_MODEL=model.name)
    wait_http(f"http://127.0.0.1:{port}/v1/models", cluster, "llm")


def _speech() -> Path:
    path = Path(tempfile.gettempdir()) / "debrief-load-speech.wav"
    if not path.exists():
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(path), " ".join(LINES)], check=True)
    return path


if __name__ == "__main__":
    main()
