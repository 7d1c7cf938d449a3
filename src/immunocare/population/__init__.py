"""Population case-finding over OMOP CDM data (Ibis: DuckDB in process, Apache Spark at scale).

- :func:`~immunocare.population.sources.open_source`: an OMOP CDM source (DuckDB file, Parquet or
  CSV folder, PostgreSQL schema, Spark catalog), checked for the tables, columns and CDM version.
- :func:`~immunocare.population.synth.synthesize`: a synthetic OMOP population with planted cases.
- :func:`~immunocare.population.screen.screen`: every case-finding rule of the knowledge base over
  one OMOP source, as a :class:`~immunocare.population.screen.ScreenResult`: the ranked persons
  (``person_id, score, n_signs, to_refer, signs`` as JSON, ``reasons`` as text), the persons
  already coded with an immunodeficiency (listed apart, not ranked) and the surveillance gap.
- :func:`~immunocare.population.screen.write_result`: the result as Parquet or CSV files.
- :mod:`~immunocare.population.rules`: the rules as Ibis expressions, one definition for every engine.
- :func:`~immunocare.population.report.render_report`: a finished screen as one self-contained
  HTML report (inline SVG plots, no external resource, pseudonymous person ids only).

Person ids are the source's own (pseudonymous); no name is read or written.
"""

from .report import render_report
from .screen import ScreenResult, SignDefinition, screen, write_result

__all__ = ["ScreenResult", "SignDefinition", "render_report", "screen", "write_result"]
