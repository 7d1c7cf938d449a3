"""The screen's collected rows as the result's frames, and the result written to files.

The engines hand back the per-sign rows (``sign, person_id, count, first, last, codes``) and the
listed persons; everything here works on those few rows in pandas, the same way for every engine,
so two engines that aggregate alike give identical frames.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd  # type: ignore[import-untyped, unused-ignore]

from immunocare.errors import FieldIssue, ValidationError

if TYPE_CHECKING:
    from .screen import ScreenResult, SignDefinition

__all__ = ["already_coded_frame", "gap_frame", "ranked_frame", "write_result"]

RANKED_COLUMNS = ("person_id", "score", "n_signs", "to_refer", "signs", "reasons")
SUFFIXES = (".parquet", ".csv")


def _day(value: Any) -> date:
    return pd.Timestamp(value).date()  # type: ignore[no-any-return]


def _codes(value: Any) -> list[str]:
    return sorted({str(code) for code in (value if value is not None else ())})


def _reason(sign: SignDefinition, unit: str, entry: Mapping[str, Any]) -> str:
    codes = ", ".join(entry["codes"])
    return f"{sign.title}: {entry['count']} {unit}, {entry['first']} to {entry['last']} ({codes})"


def ranked_frame(
    rows: pd.DataFrame,
    signs: Sequence[SignDefinition],
    units: Mapping[str, str],
    threshold: float,
    listed_apart: set[int],
) -> pd.DataFrame:
    """One row per person with a sign met (not those listed apart), score desc then person id."""
    order = {sign.id: place for place, sign in enumerate(signs)}
    by_id = {sign.id: sign for sign in signs}
    people: dict[int, list[dict[str, Any]]] = {}
    for row in rows.itertuples(index=False):
        person = int(row.person_id)
        if person in listed_apart:
            continue
        people.setdefault(person, []).append(
            {"sign": str(row.sign), "title": by_id[str(row.sign)].title, "count": int(row.count),
             "first": _day(row.first).isoformat(), "last": _day(row.last).isoformat(),
             "codes": _codes(row.codes)}
        )  # fmt: skip
    records = []
    for person, entries in people.items():
        entries.sort(key=lambda entry: order[entry["sign"]])
        score = float(sum(by_id[entry["sign"]].weight for entry in entries))
        records.append(
            {"person_id": person, "score": score, "n_signs": len(entries), "to_refer": score >= threshold,
             "signs": json.dumps(entries, ensure_ascii=False),
             "reasons": "; ".join(_reason(by_id[e["sign"]], units[e["sign"]], e) for e in entries)}
        )  # fmt: skip
    frame = pd.DataFrame.from_records(records, columns=list(RANKED_COLUMNS))
    frame = frame.astype({"person_id": "int64", "score": "float64", "n_signs": "int64", "to_refer": "bool"})
    frame = frame.astype({"signs": "object", "reasons": "object"})
    return frame.sort_values(["score", "person_id"], ascending=[False, True], ignore_index=True)


def _listed(rows: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            **{
                name: rows[name].astype(str)
                for name in columns
                if name not in ("person_id", "first_date", "codes")
            },
            "person_id": rows["person_id"].astype("int64"),
            "first_date": [_day(value) for value in rows["first_date"]],
            "codes": [", ".join(_codes(value)) for value in rows["codes"]],
        },
        columns=list(columns),
    )
    return frame.sort_values(["person_id", *columns[1:2]], ignore_index=True)


def already_coded_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """``person_id, first_date, codes``: persons already coded with an immunodeficiency."""
    return _listed(rows, ("person_id", "first_date", "codes"))


def gap_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """``person_id, exposure, first_date, codes``: exposed persons never tested for IgG, per exposure."""
    return _listed(rows, ("person_id", "exposure", "first_date", "codes"))


def _sibling(out: Path, part: str) -> Path:
    return out.with_name(f"{out.stem}.{part}{out.suffix}")


def write_result(result: ScreenResult, out: Path) -> list[Path]:
    """Write the ranked list to ``out`` (``.parquet`` or ``.csv``) and the rest beside it.

    Siblings: ``<stem>.already_coded<suffix>``, ``<stem>.surveillance_gap<suffix>`` and
    ``<stem>.meta.json`` (as of, engine, source, knowledge-base version, threshold, signs, notices).
    Returns the paths written.
    """
    if out.suffix.lower() not in SUFFIXES:
        raise ValidationError([FieldIssue("out", f"{out.name}: write a .parquet or a .csv file")])
    out.parent.mkdir(parents=True, exist_ok=True)
    frames = {
        out: result.ranked,
        _sibling(out, "already_coded"): result.already_coded,
        _sibling(out, "surveillance_gap"): result.surveillance_gap,
    }
    for path, frame in frames.items():
        if out.suffix.lower() == ".csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
    meta = out.with_name(f"{out.stem}.meta.json")
    meta.write_text(json.dumps(_meta(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [*frames, meta]


def _meta(result: ScreenResult) -> dict[str, Any]:
    return {
        "as_of": result.as_of.isoformat(),
        "engine": result.engine,
        "source": result.source,
        "kb_version": result.kb_version,
        "persons_screened": result.persons_screened,
        "threshold": result.threshold,
        "signs": [
            {
                "id": s.id,
                "title": s.title,
                "weight": s.weight,
                "verified": s.verified,
                "citations": list(s.citations),
            }
            for s in result.signs
        ],
        "notices": list(result.notices),
    }
