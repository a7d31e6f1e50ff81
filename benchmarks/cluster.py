"""Start a real multi-process Debrief on loopback: app processes, workers, a Chroma server.

Used by the multi-process tests (tests/scale) and the load benchmark (benchmarks/load.py). Every
process is the real command a deployment runs (`debrief serve`, `debrief worker`, `chroma run`),
configured only through `DEBRIEF_*` environment variables, with its output in `<data_dir>/logs`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
# This checkout's code, first on the path of every process started: the `debrief` script imports the
# package from wherever the virtual environment was installed (editable) from, and a benchmark run in
# a second checkout sharing that environment would otherwise measure the first one's code.
SOURCE = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cluster:
    data_dir: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    idle_group: Path | None = None  # the CPU cgroup of processes started with cpu_idle, once made

    @classmethod
    def configure(
        cls,
        data_dir: Path,
        *,
        database_url: str = "",
        queue_url: str = "",
        events_url: str = "",
        extra: dict[str, str] | None = None,
    ) -> Cluster:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEBRIEF_")}
        env.update(
            DEBRIEF_DATA_DIR=str(data_dir),
            DEBRIEF_DATABASE_URL=database_url,
            DEBRIEF_QUEUE_URL=queue_url,
            DEBRIEF_WEB_EVENTS_URL=events_url,
            # Live passes need no model download; drafting is not exercised by the cluster tests.
            DEBRIEF_WHISPER_THREADS="1",
            PYTHONPATH=os.pathsep.join(p for p in (str(SOURCE), os.environ.get("PYTHONPATH", "")) if p),
        )
        env.update(extra or {})
        (data_dir / "logs").mkdir(parents=True, exist_ok=True)
        return cls(data_dir=data_dir, env=env)

    def run(self, *args: str) -> str:
        """Run a `debrief` command to completion (migrate, user create, ...) and return its output."""
        done = subprocess.run([str(BIN / "debrief"), *args], env=self.env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"debrief {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout

    def start_chroma(self) -> int:
        port = free_port()
        self._spawn("chroma", [str(BIN / "chroma"), "run", "--path", str(self.data_dir / "chroma"),
                               "--host", "127.0.0.1", "--port", str(port)])  # fmt: skip
        self.env.update(DEBRIEF_RETRIEVAL_CHROMA_HOST="127.0.0.1", DEBRIEF_RETRIEVAL_CHROMA_PORT=str(port))
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", self, "chroma")
        return port

    def start_app(self, name: str, *, workers: int = 1) -> str:
        port = free_port()
        self.ports[name] = port
        self._spawn(name, [str(BIN / "debrief"), "serve", "--no-migrate", "--port", str(port),
                           "--workers", str(workers)])  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/health", self, name)
        return base

    def start_worker(self, name: str, *, nice: int = 0, cpu_idle: bool = False) -> None:
        self._spawn(name, [str(BIN / "debrief"), "worker"], nice=nice, cpu_idle=cpu_idle)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def log(self, name: str) -> str:
        return (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)
        if self.idle_group is not None:
            with contextlib.suppress(OSError):  # busy while a stray child lives; empty it next time
                self.idle_group.rmdir()

    def _spawn(self, name: str, argv: list[str], *, nice: int = 0, cpu_idle: bool = False) -> None:
        """Start a process; ``nice`` > 0 gives it a lower CPU priority (systemd's Nice=), ``cpu_idle`` puts it
        in a CPU cgroup that runs only when nothing else wants the CPU (systemd's CPUWeight=idle)."""
        log = open(self.data_dir / "logs" / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        # A session of its own: `kill` reaches uvicorn's worker processes too.
        self.processes[name] = subprocess.Popen(
            ["nice", "-n", str(nice), *argv] if nice else argv,
            env=dict(self.env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if nice:
            # With the kernel's autogroup scheduling (a group per session), nice only orders threads
            # within their own session; the session's group has a nice of its own. Popen returns
            # after exec, so the child's new session exists by now (never ours).
            with contextlib.suppress(OSError):
                Path(f"/proc/{self.processes[name].pid}/autogroup").write_text(str(nice))
        if cpu_idle:
            # Threads and children it starts later stay in the group (llama.cpp's and Whisper's threads).
            (self._idle_group() / "cgroup.procs").write_text(str(self.processes[name].pid))

    def _idle_group(self) -> Path:
        """A CPU cgroup marked idle (cpu.idle = 1), as systemd makes for a unit with CPUWeight=idle.

        The kernel preempts an idle group's thread as soon as any other thread wakes on its core (a web
        request's), where a low weight (nice, CPUWeight=20) only shortens its share: the woken thread may
        still wait out the running one's time slice. Needs root and the kernel's cpu.idle (Linux 5.15+).
        """
        if self.idle_group is None:
            root = _cpu_cgroup_root()
            if root is None:
                raise RuntimeError("no CPU cgroup controller to make an idle group in; run without --background-idle")
            group = root / f"debrief-bench-{os.getpid()}"
            group.mkdir(exist_ok=True)
            (group / "cpu.idle").write_text("1")
            self.idle_group = group
        return self.idle_group


def _cpu_cgroup_root() -> Path | None:
    """Where an idle CPU group can be made: the cgroup v1 cpu controller, or the unified (v2) hierarchy."""
    v1, v2 = Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup")
    if (v1 / "cpu.idle").exists():
        return v1
    enabled = v2 / "cgroup.subtree_control"
    return v2 if enabled.exists() and "cpu" in enabled.read_text().split() else None


def wait_http(url: str, cluster: Cluster, name: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        process = cluster.processes[name]
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{cluster.log(name)[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{name} did not answer {url} within {timeout_s} s:\n{cluster.log(name)[-3000:]}")
