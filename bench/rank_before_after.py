"""Single-need ``rank`` of an earlier commit's engine against today's, interleaved need by need.

    python bench/rank_before_after.py --before 6a81677

Both engines are fitted on the same synthetic world (``bench.matching.make_world``); each need
is ranked by the earlier engine, then by the current one, so both run under the same machine
load. Prints one JSON object with both p50 latencies, the speed-up, whether every result
(candidates, scores, reasons) is identical, and the load average.

The earlier engine is loaded from its ``matching/engine.py`` alone (the other modules are
today's), so its candidates carry today's lazily built reasons; reading them is timed with it
(``before``: it built them inside ``rank``), and today's ``rank`` is timed both without and
with reading them (``now``, ``now_with_reasons``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.matching import make_world  # noqa: E402
from matching import MatchingEngine  # noqa: E402


def _engine_at(rev: str):  # noqa: ANN202
    source = subprocess.run(["git", "show", f"{rev}:matching/engine.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp()) / "engine_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("engine_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["engine_before"] = module
    spec.loader.exec_module(module)
    return module.MatchingEngine


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="git revision of the earlier engine")
    parser.add_argument("--caps", type=int, default=10_000)
    parser.add_argument("--needs", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    needs, caps, _ = make_world(args.needs, args.caps, random_state=args.seed)
    before = _engine_at(args.before)().fit(caps)
    now = MatchingEngine().fit(caps)
    for need in needs[:30]:  # warm-up
        before.rank(need)
        now.rank(need)
    t_before, t_now, t_reasons, identical = [], [], [], True
    for need in needs:
        t0 = time.perf_counter()
        a = before.rank(need, k=10)
        for c in a.items:
            len(c.reasons)
        t_before.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b = now.rank(need, k=10)
        t_now.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b = now.rank(need, k=10)
        for c in b.items:
            len(c.reasons)
        t_reasons.append(time.perf_counter() - t0)
        identical = identical and a == b
    p50_before = float(np.percentile(t_before, 50)) * 1e3
    p50_now = float(np.percentile(t_now, 50)) * 1e3
    print(json.dumps({
        "benchmark": "rank_before_after", "before": args.before, "capabilities": args.caps,
        "needs": len(needs), "before_p50_ms": round(p50_before, 3),
        "now_p50_ms": round(p50_now, 3), "speedup": round(p50_before / p50_now, 2),
        "now_with_reasons_p50_ms": round(float(np.percentile(t_reasons, 50)) * 1e3, 3),
        "identical_results": identical,
        "load_average": [round(x, 2) for x in os.getloadavg()]}, indent=2))


if __name__ == "__main__":
    main()
