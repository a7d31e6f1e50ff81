"""Run the eval suites and write a Markdown + JSON report under evals/reports/."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from evals.suite import EVALS_DIR, SuiteResult, discover


def render(results: dict[str, SuiteResult], started: datetime, seconds: dict[str, float]) -> str:
    lines = [f"# Debrief eval report — {started:%Y-%m-%d %H:%M} UTC", ""]
    for name, result in results.items():
        lines += [f"## {name} ({seconds[name]:.1f} s)", "", "| figure | value | target | met |", "|---|---|---|---|"]
        for f in result.figures:
            value = f"{f.value:.3f}" if isinstance(f.value, float) else str(f.value)
            met = "" if f.met is None else ("yes" if f.met else "**no**")
            lines.append(f"| {f.name} | {value} | {f.target} | {met} |")
        if result.rows:
            keys = list(result.rows[0])
            lines += ["", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
            lines += ["| " + " | ".join(str(r.get(k, "")) for k in keys) + " |" for r in result.rows]
        if result.notes:
            lines += [""] + [f"- {n}" for n in result.notes]
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals", description=__doc__)
    parser.add_argument("--only", action="append", help="run only this suite (repeatable)")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--out", type=Path, default=EVALS_DIR / "reports")
    args = parser.parse_args(argv)

    suites = discover()
    chosen = args.only or list(suites)
    unknown = [n for n in chosen if n not in suites]
    if unknown:
        parser.error(f"unknown suite(s) {unknown}; available: {sorted(suites)}")
    started = datetime.now(UTC)
    results: dict[str, SuiteResult] = {}
    seconds: dict[str, float] = {}
    for name in chosen:
        print(f"==> eval suite {name}: {suites[name].DESCRIPTION}", file=sys.stderr)
        t0 = time.perf_counter()
        results[name] = suites[name].run(quick=args.quick)
        seconds[name] = time.perf_counter() - t0
        for f in results[name].figures:
            print(f"    {f.name}: {f.value} {f.target}", file=sys.stderr)

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%S")
    markdown = render(results, started, seconds)
    payload = {
        "started": started.isoformat(),
        "quick": args.quick,
        "suites": {n: {**asdict(r), "seconds": seconds[n]} for n, r in results.items()},
    }
    for stem in (stamp, "latest"):
        (args.out / f"{stem}.md").write_text(markdown, encoding="utf-8")
        (args.out / f"{stem}.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
    print(f"report: {args.out / (stamp + '.md')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
