"""The report of bench/db_restart.py: latencies before, during and after the restart, and the table."""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: bench.servers


def ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def latency_stats(records):
    values = [r.latency for r in records]
    return {
        "n": len(values),
        "p50_ms": ms(percentile(values, 0.50)),
        "p99_ms": ms(percentile(values, 0.99)),
        "max_ms": ms(max(values, default=None)),
    }


def analyse(load, restart, seconds):
    records = sorted(load.records, key=lambda r: r.start)
    t0 = load.t0
    failures = [r for r in records if not r.ok]
    report = {
        "seconds": seconds,
        "concurrency": load.concurrency,
        "total_requests": len(records),
        "requests_per_second": round(len(records) / max(1e-9, max((r.end for r in records), default=t0) - t0), 1),
        "status_counts": {str(k): v for k, v in sorted(Counter(r.outcome for r in records).items(), key=str)},
        "restart": {
            "returncode": restart.returncode,
            "begin_s": None if restart.begin is None else round(restart.begin - t0, 3),
            "command_ms": ms(restart.end - restart.begin) if restart.end and restart.begin else None,
            "pg_down_after_begin_ms": ms(restart.down - restart.begin) if restart.down and restart.begin else None,
            "pg_ready_after_begin_ms": ms(restart.ready - restart.begin) if restart.ready and restart.begin else None,
            "pg_ready_vs_command_return_ms": ms(restart.ready - restart.end)
            if restart.ready and restart.end
            else None,
            "pg_ready_seen_by": restart.ready_seen_by,
        },
    }
    if failures:
        first = failures[0]
        last = max(failures, key=lambda r: r.end)
        begin, end = restart.begin, restart.end
        report["error_window"] = {
            "failed_requests": len(failures),
            # From the start of the first failed request to the answer of the last one.
            "window_ms": ms(last.end - first.start),
            "first_failure_start_s": round(first.start - t0, 3),
            "first_failure_start_vs_restart_begin_ms": ms(first.start - begin) if begin else None,
            "last_failure_end_s": round(last.end - t0, 3),
            "last_failure_end_vs_restart_end_ms": ms(last.end - end) if end else None,
            "last_failure_end_vs_pg_ready_ms": ms(last.end - restart.ready) if restart.ready else None,
            "failed_paths": dict(Counter(r.path for r in failures).most_common()),
        }
    else:
        report["error_window"] = {"failed_requests": 0, "window_ms": 0}

    if restart.ready is not None:
        after_ready = [r for r in records if r.start >= restart.ready]
        report["failed_after_pg_ready"] = sum(not r.ok for r in after_ready)
        # The first success that started once the database was seen down (or, unseen, once the command returned).
        went_down = restart.down if restart.down is not None else restart.end
        first_ok = min((r.end for r in records if r.ok and r.start >= went_down), default=None)
        report["first_ok_after_restart_vs_pg_ready_ms"] = ms(first_ok - restart.ready) if first_ok else None
        report["failed_after_first_ok"] = (
            sum(not r.ok for r in records if r.start >= first_ok) if first_ok is not None else None
        )
        # Requests in flight at any moment between the restart's beginning and pg_isready's success.
        outage = [r for r in records if r.start <= restart.ready and r.end >= restart.begin]
        slowest = max(outage, key=lambda r: r.latency, default=None)
        report["outage"] = {
            "requests": len(outage),
            "failed": sum(not r.ok for r in outage),
            "slowest_ms": ms(slowest.latency) if slowest else None,
            "slowest_outcome": str(slowest.outcome) if slowest else None,
            "slowest_failure_ms": ms(max((r.latency for r in outage if not r.ok), default=None)),
        }
        report["latency"] = {
            "before": latency_stats([r for r in records if r.start < restart.begin]),
            "during": latency_stats([r for r in records if restart.begin <= r.start < restart.ready]),
            "after": latency_stats(after_ready),
        }
    else:
        report["failed_after_pg_ready"] = None  # PostgreSQL never came back: a failure in itself
    return report


def print_table(report, pages, down_bound):
    rows = [
        ("total requests", report["total_requests"]),
        ("requests/s", report["requests_per_second"]),
        ("status counts", ", ".join(f"{k}: {v}" for k, v in report["status_counts"].items())),
    ]
    restart = report["restart"]
    rows += [
        ("restart began at", f"{restart['begin_s']} s (returncode {restart['returncode']})"),
        ("restart command took", f"{restart['command_ms']} ms"),
        ("pg_isready failed at", f"{restart['pg_down_after_begin_ms']} ms after restart begin"),
        (
            "pg_isready ok again",
            f"{restart['pg_ready_after_begin_ms']} ms after restart begin, "
            f"{restart['pg_ready_vs_command_return_ms']:+} ms vs command return ({restart['pg_ready_seen_by']})",
        ),
    ]
    window = report["error_window"]
    rows.append(("failed requests", window["failed_requests"]))
    if window["failed_requests"]:
        rows += [
            ("error window", f"{window['window_ms']} ms (first failed request start -> last failed answer)"),
            ("  first failure", f"{window['first_failure_start_vs_restart_begin_ms']:+} ms vs restart begin"),
            ("  last failure", f"{window['last_failure_end_vs_restart_end_ms']:+} ms vs restart return"),
            ("  last failure", f"{window['last_failure_end_vs_pg_ready_ms']:+} ms vs pg_isready ok"),
        ]
    rows += [
        ("FAILED after pg ready", f"{report['failed_after_pg_ready']}   (goal: 0)"),
        ("failed after 1st ok", report.get("failed_after_first_ok")),
        ("1st ok after restart", f"{report.get('first_ok_after_restart_vs_pg_ready_ms')} ms vs pg_isready ok"),
    ]
    if "outage" in report:
        outage = report["outage"]
        rows.append(
            (
                "outage",
                f"{outage['requests']} requests in flight, {outage['failed']} failed; slowest "
                f"{outage['slowest_ms']} ms ({outage['slowest_outcome']}); slowest failure "
                f"{outage['slowest_failure_ms']} ms",
            )
        )
        for phase, stats in report["latency"].items():
            rows.append(
                (
                    f"latency {phase}",
                    f"n={stats['n']} p50={stats['p50_ms']} ms p99={stats['p99_ms']} ms max={stats['max_ms']} ms",
                )
            )
    probe = report.get("down_probe")
    if probe and "members" in probe:
        members = probe["members"]
        rows += [
            (
                "db down: /members/",
                f"{members['statuses']} max {members['max_ms']} ms (bound {down_bound * 1000:.0f}), "
                f"Retry-After {members['retry_after']}, clear page {members['clear_page']}",
            ),
            ("db down: /healthz", f"{probe['healthz']['status']} in {probe['healthz']['ms']} ms (expect 200)"),
            ("db down: /readyz", f"{probe['readyz']['status']} in {probe['readyz']['ms']} ms (expect 503)"),
            ("db down for", f"{probe['database_down_ms']} ms"),
            (
                "db back: failures",
                f"{probe['after_restart_failed']} of {len(pages) * 2} {probe['after_restart_statuses']}",
            ),
        ]
    rows.append(("RESULT", "PASS" if report["pass"] else "FAIL"))
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
