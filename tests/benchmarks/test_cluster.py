"""benchmarks/cluster.py: the processes it starts run the code of the checkout they were started from."""

from __future__ import annotations

import subprocess
from pathlib import Path

from benchmarks.cluster import BIN, SOURCE, Cluster


def test_every_process_runs_this_checkouts_code(tmp_path: Path) -> None:
    # The `debrief` script imports the package from where the shared virtual environment was
    # installed (editable) from: without this, a benchmark in a second checkout measured the first's code.
    cluster = Cluster.configure(tmp_path / "data")
    where = subprocess.run(
        [str(BIN / "python"), "-c", "import service; print(service.__file__)"],
        env=cluster.env, cwd="/", capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert Path(where.stdout.strip()) == SOURCE / "service" / "__init__.py"
