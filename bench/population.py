"""Speed and recall of population case-finding on a synthetic OMOP population, with ratios.

Run from the repository root: ``.venv/bin/python bench/population.py [--persons 100000]``.

One run synthesizes N persons (immunocare.population.synth: Parquet, planted cases listed in
planted.csv), then times, in the same run:

(a) the floor: bare DuckDB scanning and counting the columns a screen reads;
(b) the baseline: a straightforward pandas implementation of one sign (≥N ear infections within a
    rolling window, N and the window read from the knowledge base's jmf_children_1 criterion);
(c) the immunocare screen on DuckDB (immunocare.population.screen.screen), with recall of the
    planted cases;
(d) the same screen on Spark (local[*]) over a smaller population (--spark-persons).

It prints seconds, persons per second, the ratios (c)/(a) and (b)/(c), and the peak resident
memory of each step: (a)–(c) each run in a fresh process whose own peak is reported; (d) is sampled
every 20 ms in this process plus the Spark JVM. No assertion.
"""

from __future__ import annotations

import argparse
import csv
import functools
import multiprocessing
import os
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from immunocare.domain import InfectionSite
from immunocare.knowledge import KnowledgeBase, load_knowledge_base
from immunocare.knowledge.topics.coded_conditions import InfectionCodes
from immunocare.knowledge.topics.warning_signs import WarningSign
from immunocare.population import ScreenResult, screen
from immunocare.population._synth_profiles import PROFILES
from immunocare.population.sources import open_source, spark_session
from immunocare.population.synth import synthesize

COLUMNS = {  # every column the screen reads, and only those
    "condition_occurrence": (
        "person_id",
        "condition_concept_id",
        "condition_start_date",
        "condition_source_value",
    ),
    "drug_exposure": (
        "person_id",
        "drug_concept_id",
        "drug_exposure_start_date",
        "drug_exposure_end_date",
        "drug_source_value",
        "route_concept_id",
    ),
    "person": ("person_id", "year_of_birth", "month_of_birth", "day_of_birth"),
    "measurement": ("person_id", "measurement_concept_id", "measurement_source_value"),
}


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Step:
    seconds: float = 0.0
    peak_mib: float = 0.0


@contextmanager
def measured(extra_pids: Callable[[], list[int]] = list) -> Iterator[Step]:
    """Wall time and peak RSS (this process + extra_pids) while the block runs."""
    step, done = Step(), threading.Event()

    def sample() -> None:
        while not done.is_set():
            total = _rss_kib(os.getpid()) + sum(_rss_kib(p) for p in extra_pids())
            step.peak_mib = max(step.peak_mib, total / 1024)
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        yield step
    finally:
        step.seconds = time.perf_counter() - started
        done.set()
        sampler.join()


@functools.cache
def _kb() -> KnowledgeBase:
    return load_knowledge_base()


def _timed(step: Callable[..., Any], *args: Any) -> tuple[Any, Step]:
    """In the child: the step's value, its wall time, and the peak RSS of the child's whole life.

    The knowledge base is loaded before the clock starts.
    """
    _kb()
    started = time.perf_counter()
    value = step(*args)
    seconds = time.perf_counter() - started
    return value, Step(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def in_child(step: Callable[..., Any], *args: Any) -> tuple[Any, Step]:
    """``step(*args)`` in a fresh process, so that its peak memory is its own, not what an earlier
    step left in this one (the child's imports count; its start does not count in the time)."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        value, measured_step = pool.submit(_timed, step, *args).result()
    return value, measured_step


def floor(folder: Path) -> int:
    """Bare DuckDB: scan the screen's columns of every table it reads and count the rows.

    The values are hashed so that every one is read (a bare ``count(column)`` is answered from the
    Parquet statistics without reading the data).
    """
    con = duckdb.connect()
    total = 0
    for table, columns in COLUMNS.items():
        query = (
            f"SELECT count(*), sum(hash({', '.join(columns)})) FROM read_parquet('{folder / table}.parquet')"
        )
        total += int(con.sql(query).fetchall()[0][0])
    con.close()
    return total


def ear_codes(kb: KnowledgeBase) -> tuple[tuple[str, ...], tuple[str, ...]]:
    ear = [item for item in kb.of(InfectionCodes) if item.site is InfectionSite.EAR]
    return tuple(c for i in ear for c in i.icd10cm), tuple(c for i in ear for c in i.snomed)


def pandas_otitis(folder: Path) -> int:
    """The straightforward way: read the rows, keep the ear codes, roll a window per person."""
    kb = _kb()
    sign = kb.get("jmf_children_1")
    assert isinstance(sign, WarningSign)
    criterion: Any = sign.criterion
    window = f"{criterion.window.span_in_days()[1]}D"
    icd, _ = ear_codes(kb)
    frame = pd.read_parquet(
        folder / "condition_occurrence.parquet",
        columns=["person_id", "condition_start_date", "condition_source_value"],
    )
    ears = frame[frame["condition_source_value"].str.replace(".", "", regex=False).str.startswith(icd)]
    ears = ears.assign(day=pd.to_datetime(ears["condition_start_date"])).drop_duplicates(["person_id", "day"])

    def most_in_window(days: pd.Series) -> int:
        counted = pd.Series(1, index=days.sort_values()).rolling(window).sum()
        return int(counted.max())

    best = ears.groupby("person_id")["day"].apply(most_in_window)
    return int((best >= criterion.at_least).sum())


def duckdb_screen(folder: Path, as_of: date) -> ScreenResult:
    """(c): the screen on DuckDB over the folder (the knowledge base is loaded before the clock)."""
    return screen(open_source(str(folder)), _kb(), as_of=as_of)


def planted(folder: Path) -> dict[int, str]:
    with (folder / "planted.csv").open(encoding="utf-8") as handle:
        return {int(r["person_id"]): r["profile"] for r in csv.DictReader(handle)}


def recall(result: Any, folder: Path) -> list[str]:
    """One line per profile: how many planted persons landed where the profile expects."""
    expect = {p.name: p.expect for p in PROFILES}
    listed = {
        "to_refer": set(result.ranked.loc[result.ranked["to_refer"], "person_id"]),
        "surveillance_gap": set(result.surveillance_gap["person_id"]),
        "already_coded": set(result.already_coded["person_id"]),
    }
    by_profile: dict[str, list[int]] = {}
    for pid, profile in planted(folder).items():
        by_profile.setdefault(profile, []).append(pid)
    lines = []
    for profile, pids in sorted(by_profile.items()):
        where = expect[profile]
        if where == "control":
            wrong = sum(p in listed["surveillance_gap"] for p in pids)
            lines.append(f"  {profile:<44} control: {wrong}/{len(pids)} wrongly in the surveillance gap")
        else:
            found = sum(p in listed[where] for p in pids)
            lines.append(f"  {profile:<44} {where}: recall {found}/{len(pids)} = {found / len(pids):.0%}")
    return lines


def spark_run(folder: Path, kb: KnowledgeBase, as_of: date) -> None:
    spark = spark_session(
        config={
            "spark.ui.enabled": "false",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            "spark.driver.memory": "4g",
        }
    )
    gateway = spark.sparkContext._gateway
    jvm_pid = [gateway.proc.pid] if gateway is not None and getattr(gateway, "proc", None) else []
    try:
        source = open_source(str(folder), engine="spark", spark=spark)
        with measured(lambda: jvm_pid) as counted:
            rows = sum(int(source.table(t).count().to_pyarrow().as_py()) for t in COLUMNS)
        print(
            f"(d) Spark scan-and-count:   {counted.seconds:8.2f} s  ({rows:,} rows; "
            f"peak {counted.peak_mib:,.0f} MiB with the JVM)"
        )
        with measured(lambda: jvm_pid) as step:
            result = screen(source, kb, as_of=as_of)
        persons = result.persons_screened
        print(
            f"(d) Spark screen:           {step.seconds:8.2f} s  ({persons / step.seconds:,.0f} persons/s; "
            f"{step.seconds / counted.seconds:.1f}x its scan; peak {step.peak_mib:,.0f} MiB with the JVM)"
        )
    finally:
        spark.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000, help="Persons for the DuckDB steps.")
    parser.add_argument("--spark-persons", type=int, default=None, help="Persons for Spark (default N/10).")
    parser.add_argument("--no-spark", action="store_true", help="Skip step (d).")
    parser.add_argument("--as-of", default="2026-11-30", help="The day the records end and the screen runs.")
    parser.add_argument(
        "--work", type=Path, default=None, help="Folder for the data (default: a temporary one)."
    )
    args = parser.parse_args()
    as_of = date.fromisoformat(args.as_of)
    work = args.work or Path(tempfile.mkdtemp(prefix="immunocare-bench-"))
    kb = _kb()
    try:
        folder = work / f"omop-{args.persons}"
        with measured() as made:
            summary = synthesize(args.persons, folder, seed=1, as_of=as_of, kb=kb)
        rows = summary.rows
        print(
            f"synthetic population: {args.persons:,} persons, {rows['condition_occurrence']:,} conditions, "
            f"{rows['drug_exposure']:,} drug exposures in {made.seconds:.1f} s "
            f"(peak {made.peak_mib:,.0f} MiB)"
        )
        _, a = in_child(floor, folder)
        print(f"(a) floor, DuckDB scan:     {a.seconds:8.2f} s  (peak {a.peak_mib:,.0f} MiB)")
        met, b = in_child(pandas_otitis, folder)
        print(
            f"(b) pandas otitis sign:     {b.seconds:8.2f} s  ({met:,} persons met; "
            f"peak {b.peak_mib:,.0f} MiB)"
        )
        result, c = in_child(duckdb_screen, folder, as_of)
        print(
            f"(c) immunocare screen:      {c.seconds:8.2f} s  "
            f"({result.persons_screened / c.seconds:,.0f} persons/s; peak {c.peak_mib:,.0f} MiB)"
        )
        print(f"    ratio screen / floor:   {c.seconds / a.seconds:8.1f} x   (target ≤ 2)")
        print(f"    ratio pandas / screen:  {b.seconds / c.seconds:8.1f} x   (target ≥ 10, for one sign)")
        print("recall of the planted cases (DuckDB):")
        print("\n".join(recall(result, folder)))
        if not args.no_spark:
            spark_persons = args.spark_persons or max(args.persons // 10, 1_000)
            spark_folder = work / f"omop-{spark_persons}"
            synthesize(spark_persons, spark_folder, seed=1, as_of=as_of, kb=kb)
            print(f"Spark population: {spark_persons:,} persons")
            spark_run(spark_folder, kb, as_of)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
