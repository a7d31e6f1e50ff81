"""CPU cost of one review-room read, measured on a served app process.

    .venv/bin/python -m benchmarks.read_cost [--reads 1000] [--concurrency 1] [--postgres URL]
                                             [--profile stacks.txt]

Starts one real `debrief serve` process (SQLite by default, or PostgreSQL in a private schema)
with the same 20 rooms as benchmarks/load.py, reads `GET /api/reviews/{id}` with each room's API
token, and reports the app process's CPU time per read (user + system, every thread, from
/proc/PID/stat: HTTP parsing, authentication, queries and serialization all count) and the wall
latency of the reads. Nothing else runs against the process, so the CPU figure is the read's cost
alone; it is what bounds reads/s per core in the load benchmark. `--profile` samples the app process
with py-spy (`pip install py-spy`; not a dependency), the thread holding the GIL only, during the
measured reads, and writes collapsed
stacks, one line per stack with its sample count.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from benchmarks.cluster import Cluster
from benchmarks.report import ms
from benchmarks.rooms import Room, drop_schema, make_rooms, scratch_database
from service.settings import Settings

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_s(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of a process, all its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--postgres", default="", help="postgresql://... to measure on PostgreSQL")
    parser.add_argument("--profile", type=Path, help="write py-spy's collapsed stacks of the app here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="debrief-read-cost-") as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        schema, url = scratch_database("pg" if args.postgres else "sqlite", args.postgres, data_dir)
        cluster = Cluster.configure(data_dir, database_url=url)
        try:
            cluster.run("migrate")
            rooms = make_rooms(Settings(data_dir=data_dir, database={"url": url}), 20)
            base = cluster.start_app("app")
            pid = cluster.processes["app"].pid
            result = _measure(base, pid, rooms, args)
        finally:
            cluster.stop()
            if schema:
                drop_schema(args.postgres, schema)
    result["database"] = "postgresql" if args.postgres else "sqlite"
    print(json.dumps(result, indent=2))


def _measure(base: str, pid: int, rooms: list[Room], args: argparse.Namespace) -> dict[str, Any]:
    limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
    with httpx.Client(limits=limits, timeout=30) as client:

        def read(i: int) -> float:
            room = rooms[i % len(rooms)]
            began = time.perf_counter()
            response = client.get(
                f"{base}/api/reviews/{room.review_id}", headers={"Authorization": f"Bearer {room.token}"}
            )
            response.raise_for_status()
            return time.perf_counter() - began

        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(read, range(200)))  # warm up: imports, pools, caches
            time.sleep(1)
            profiler = _profiler(pid, args.profile)
            cpu_before, began = process_cpu_s(pid), time.perf_counter()
            latencies = list(pool.map(read, range(args.reads)))
            cpu_after, elapsed = process_cpu_s(pid), time.perf_counter() - began
            if profiler is not None:
                profiler.send_signal(2)  # py-spy writes its file on SIGINT
                profiler.wait(timeout=60)
    user, system = (1000 * (after - before) / args.reads for before, after in zip(cpu_before, cpu_after, strict=True))
    return {
        "reads": args.reads,
        "concurrency": args.concurrency,
        "app_cpu_ms_per_read": round(user + system, 2),
        "app_user_ms_per_read": round(user, 2),
        "app_system_ms_per_read": round(system, 2),
        "reads_per_s": round(args.reads / elapsed, 1),
        "latency_p50_ms": ms(latencies, 0.5),
        "latency_p95_ms": ms(latencies, 0.95),
    }


def _profiler(pid: int, out: Path | None) -> subprocess.Popen[bytes] | None:
    if out is None:
        return None
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [spy, "record", "--pid", str(pid), "--rate", "500", "--gil", "--format", "raw", "--output", str(out)]
    profiler = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached before the measured reads start
    return profiler


if __name__ == "__main__":
    main()
