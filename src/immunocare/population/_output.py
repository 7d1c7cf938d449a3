"""The screen's collected rows as the result's frames, and the result written to files.

The engines hand back the per-sign rows (``sign, person_id, count, first, last, codes``) and the
listed persons; everything here works on those few rows in pandas, the same way for every engine,
so two engines that aggregate alike give identical frames.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from itertools import groupby
from operator import itemgetter
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


def _iso(values: pd.Series) -> list[str]:
    return list(pd.to_datetime(values).dt.strftime("%Y-%m-%d"))


def ranked_frame(
    rows: pd.DataFrame,
    signs: Sequence[SignDefinition],
    units: Mapping[str, str],
    threshold: float,
    listed_apart: set[int],
) -> pd.DataFrame:
    """One row per person with a sign met (not those listed apart), score desc then person id.

    ``signs`` holds, per person, a JSON list of ``{"sign", "title", "count", "first", "last",
    "codes"}`` in the order of ``signs``; ``reasons`` one line per sign, ``"; "``-joined.
    """
    order = {sign.id: place for place, sign in enumerate(signs)}
    by_id = {sign.id: sign for sign in signs}
    kept = rows[~rows["person_id"].astype("int64").isin(listed_apart)]
    kept = kept.assign(order=kept["sign"].map(order), person_id=kept["person_id"].astype("int64"))
    kept = kept.sort_values(["person_id", "order"], ignore_index=True)
    heads = {s.id: json.dumps({"sign": s.id, "title": s.title}, ensure_ascii=False)[:-1] for s in signs}
    entries, reasons = [], []
    for sign, count, first, last, codes in zip(
        kept["sign"], kept["count"], _iso(kept["first"]), _iso(kept["last"]), kept["codes"], strict=True
    ):
        listed = _codes(codes)
        entries.append(
            f'{heads[sign]}, "count": {int(count)}, "first": "{first}", "last": "{last}", '
            f'"codes": {json.dumps(listed, ensure_ascii=False)}}}'
        )
        reasons.append(
            f"{by_id[sign].title}: {int(count)} {units[sign]}, {first} to {last} ({', '.join(listed)})"
        )
    people, joined_entries, joined_reasons = [], [], []
    for person, group in groupby(zip(kept["person_id"], entries, reasons, strict=True), key=itemgetter(0)):
        parts = list(group)
        people.append(person)
        joined_entries.append("[" + ", ".join(part[1] for part in parts) + "]")
        joined_reasons.append("; ".join(part[2] for part in parts))
    weights = kept["sign"].map({sign.id: sign.weight for sign in signs}).astype("float64")
    grouped = weights.groupby(kept["person_id"], sort=False)
    frame = pd.DataFrame(
        {
            "person_id": pd.Series(people, dtype="int64"),
            "score": grouped.sum().to_numpy(dtype="float64"),
            "n_signs": grouped.size().to_numpy(dtype="int64"),
            "signs": pd.Series(joined_entries, dtype="object"),
            "reasons": pd.Series(joined_reasons, dtype="object"),
        }
    )
    frame.insert(3, "to_refer", (frame["score"] >= threshold).astype("bool"))
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
