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

import numpy as np
import pandas as pd

from immunocare.errors import FieldIssue, ValidationError

if TYPE_CHECKING:
    from .screen import ScreenResult, SignDefinition

__all__ = ["already_coded_frame", "gap_frame", "ranked_frame", "write_result"]

RANKED_COLUMNS = ("person_id", "score", "n_signs", "to_refer", "signs", "reasons")
SUFFIXES = (".parquet", ".csv")


def _day(value: Any) -> date:
    return pd.Timestamp(value).date()  # type: ignore[no-any-return]


def _codes(value: Any) -> list[str]:
    return sorted(set(map(str, value))) if value is not None else []


def _iso(values: pd.Series) -> pd.Series:
    days = pd.to_datetime(values, cache=False).to_numpy().astype("datetime64[D]")
    return pd.Series(np.datetime_as_string(days, unit="D"), index=values.index, dtype="object")


def ranked_frame(
    rows: pd.DataFrame,
    signs: Sequence[SignDefinition],
    units: Mapping[str, tuple[str, str]],
    threshold: float,
    listed_apart: set[int],
) -> pd.DataFrame:
    """One row per person with a sign met (not those listed apart), score desc then person id.

    ``signs`` holds, per person, a JSON list of ``{"sign", "title", "count", "first", "last",
    "codes"}`` in the order of ``signs``; ``reasons`` one line per sign, ``"; "``-joined. Each code
    list is written once per distinct list, and the lines are joined over each person's run of rows
    (the rows sorted by person).
    """
    order = {sign.id: place for place, sign in enumerate(signs)}
    kept = rows[~rows["person_id"].astype("int64").isin(listed_apart)]
    kept = kept.assign(order=kept["sign"].map(order), person_id=kept["person_id"].astype("int64"))
    kept = kept.sort_values(["person_id", "order"], ignore_index=True)
    heads = {s.id: json.dumps({"sign": s.id, "title": s.title}, ensure_ascii=False)[:-1] for s in signs}
    raw = [() if codes is None else tuple(codes) for codes in kept["codes"]]
    sorted_codes = {key: tuple(_codes(key)) for key in set(raw)}
    listed = [sorted_codes[key] for key in raw]
    texts = {key: (json.dumps(list(key), ensure_ascii=False), ", ".join(key)) for key in set(listed)}
    titles = {s.id: s.title for s in signs}
    columns = (
        kept["sign"].tolist(),
        kept["count"].astype("int64").tolist(),
        _iso(kept["first"]).tolist(),
        _iso(kept["last"]).tolist(),
        listed,
    )
    entry_texts = [
        f'{heads[sign]}, "count": {count}, "first": "{first}", "last": "{last}", "codes": {texts[codes][0]}}}'
        for sign, count, first, last, codes in zip(*columns, strict=True)
    ]
    reason_texts = [
        f"{titles[sign]}: {count} {units[sign][count != 1]}, {first} to {last} ({texts[codes][1]})"
        for sign, count, first, last, codes in zip(*columns, strict=True)
    ]
    person = kept["person_id"].to_numpy()
    change = np.ones(len(person), dtype=bool)
    change[1:] = person[1:] != person[:-1]
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], len(person))[: len(starts)]
    bounds = list(zip(starts.tolist(), ends.tolist(), strict=True))
    weights = kept["sign"].map({s.id: s.weight for s in signs}).to_numpy(dtype="float64")
    frame = pd.DataFrame(
        {
            "person_id": pd.Series(person[starts], dtype="int64"),
            "score": np.add.reduceat(weights, starts) if len(starts) else np.zeros(0),
            "n_signs": (ends - starts).astype("int64"),
            "signs": pd.Series(["[" + ", ".join(entry_texts[a:b]) + "]" for a, b in bounds], dtype="object"),
            "reasons": pd.Series(["; ".join(reason_texts[a:b]) for a, b in bounds], dtype="object"),
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
