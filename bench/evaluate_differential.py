"""Accuracy of the differential on patients simulated from the disease annotations.

Run from the repository root: ``.venv/bin/python bench/evaluate_differential.py [--per-disease 5]``;
it prints the Markdown tables of docs/differential.md. Ranks count ties against the method: a case's
rank is one plus the number of other candidates scoring at least as high as the true one.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from _simulate import SimulatedCase, simulate  # noqa: E402

from immunocare.clinical.differential import DifferentialMode, DifferentialModel, model_for, score_all  # noqa: E402
from immunocare.knowledge import load_knowledge_base  # noqa: E402


def _ranks(model: DifferentialModel, case: SimulatedCase) -> tuple[int, int]:
    totals = score_all(model, case.query).totals
    at_least = totals >= totals[case.truth]
    at_least[case.truth] = False
    others = at_least.nonzero()[0].tolist()
    disease = len(others) + 1
    genes = set(model.candidates[case.truth].genes)
    gene = sum(1 for i in others if not genes & set(model.candidates[i].genes)) + 1
    return disease, gene


def _row(label: str, ranks: list[int]) -> str:
    n = len(ranks)
    top1 = sum(r == 1 for r in ranks) / n
    top10 = sum(r <= 10 for r in ranks) / n
    mrr = sum(1 / r for r in ranks) / n
    return f"| {label} | {n} | {top1:.1%} | {top10:.1%} | {mrr:.3f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-disease", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-ages", action="store_true", help="Simulate cases without an age.")
    args = parser.parse_args()
    model = model_for(load_knowledge_base(), DifferentialMode.IEI)
    cases = simulate(model, per_disease=args.per_disease, seed=args.seed, ages=not args.no_ages)
    by_table: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    everything = []
    for case in cases:
        ranks = _ranks(model, case)
        everything.append(ranks)
        categories = model.candidates[case.truth].categories
        if categories:
            by_table[categories[0][0]].append(ranks)
    header = ["| cases | n | top-1 | top-10 | MRR |", "| --- | ---: | ---: | ---: | ---: |"]
    for level, pick in (("disease", 0), ("gene", 1)):
        print(f"\n**{level.capitalize()} level** ({len(model.candidates)} candidates, seed {args.seed})\n")
        print("\n".join(header))
        print(_row("all", [r[pick] for r in everything]))
        for table in sorted(by_table):
            print(_row(f"IUIS table {table}", [r[pick] for r in by_table[table]]))


if __name__ == "__main__":
    main()
