"""wrk as the load bench drives it: WRK_SCRIPT makes wrk print one summary line when a run ends,
Wrk runs wrk with it against a URL, and parse_wrk() reads the figures from what wrk printed."""

import contextlib
import json

from bench.processes import BenchError, start

# wrk calls done() once at the end: its summary as one JSON line, latencies in microseconds.
WRK_SCRIPT = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "status_errors": %d, "timeouts": %d, '
    .. '"p50_us": %.0f, "p90_us": %.0f, "p99_us": %.0f, "max_us": %.0f, "mean_us": %.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
"""


def parse_wrk(output):
    """wrk's output with WRK_SCRIPT -> requests per second, p50/p99 in ms, counts of errors."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line.removeprefix("BENCH_JSON "))
            break
    else:
        raise BenchError(f"wrk printed no summary:\n{output.strip()}")
    seconds = raw["duration_us"] / 1e6
    errors = {
        "socket": raw["connect_errors"] + raw["read_errors"] + raw["write_errors"] + raw["timeouts"],
        "status": raw["status_errors"],  # responses other than 2xx and 3xx
    }
    return {
        "requests": raw["requests"],
        # Per response as it crossed the wire: headers included, compressed when it was.
        "wire_bytes": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
        "seconds": round(seconds, 2),
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": errors,
    }


class Wrk:
    """wrk with WRK_SCRIPT at a fixed number of threads and connections; its script and output in `folder`."""

    def __init__(self, path, threads, connections, folder):
        self.path, self.threads, self.connections = path, threads, connections
        self.folder = folder
        self.script = folder / "summary.lua"
        self.script.write_text(WRK_SCRIPT)

    def run(self, url, seconds, headers=None):
        """wrk against url for `seconds` -> what it printed."""
        cmd = [
            self.path,
            f"--threads={self.threads}",
            f"--connections={self.connections}",
            f"--duration={seconds}s",
            "--timeout=30s",
            f"--script={self.script}",
            *(f"--header={name}: {value}" for name, value in (headers or {}).items()),
            url,
        ]
        with contextlib.ExitStack() as stack:
            log = self.folder / "wrk.out"
            log.unlink(missing_ok=True)
            proc = start(stack, "wrk", cmd, log)
            proc.wait()
            output = log.read_text(errors="replace")
        if proc.returncode:
            raise BenchError(f"wrk failed ({proc.returncode}) on {url}:\n{output}")
        return output
