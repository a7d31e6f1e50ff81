"""The load benchmark's figures as text: percentiles in milliseconds, one row per configuration."""

from __future__ import annotations

from typing import Any


def ms(values: list[float], q: float) -> float | None:
    """The `q` quantile of `values` (seconds) in milliseconds, or None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def row(r: dict[str, Any]) -> str:
    u = r["upload_check"]
    return (
        f"{r['config']:<9} {r['reads_per_s']:>7} {r['read_p50_ms']!s:>7} {r['read_p95_ms']!s:>7} "
        f"{r['delivery_p50_ms']!s:>7} {r['delivery_p95_ms']!s:>7} {r['lost']:>5} {r['duplicated']:>5} "
        f"{r['drafts']:>6} {r['draft_p50_ms']!s:>7} {r['draft_p95_ms']!s:>7} {r['read_errors'] + r['post_errors']:>6} "
        f"{u['finished']}/{u['uploads']} dup {u['duplicated']}"
        + "".join(f", {n} {kind}" for kind, n in sorted(r["draft_grounding"].items()))
        + (f", draft errors {r['draft_errors']}" if r["draft_errors"] else "")
        + (f", {r['reads_not_modified']} reads were 304" if r["conditional"] or r.get("page") else "")
        + (
            f", readers as the page ({r['transcript_segments']} segments at the start): {r['whole_lists']} whole"
            f" lists, p50 / p95 {r['whole_list_p50_ms']} / {r['whole_list_p95_ms']} ms, {r['page_events']} events"
            if r.get("page")
            else ""
        )
    )


def cpu_row(r: dict[str, Any]) -> str:
    use = r["cpu_use"]
    return "   CPU (cores used / threads waiting for a core): " + ", ".join(
        f"{name} {u['cores']}" + (f"/{u['waiting']}" if u["waiting"] else "") for name, u in use.items()
    )


def table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'config':<9} {'reads/s':>7} {'r p50':>7} {'r p95':>7} {'ev p50':>7} {'ev p95':>7} "
        f"{'lost':>5} {'dup':>5} {'drafts':>6} {'dr p50':>7} {'dr p95':>7} {'errors':>6} uploads, drafts by grounding"
    )
    rows = [line for r in results for line in (row(r), cpu_row(r))]
    return "\n".join([head, *rows]) + "\n(latencies in ms)"
