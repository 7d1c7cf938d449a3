"""Population case-finding over OMOP CDM data (Ibis: DuckDB in process, Apache Spark at scale).

- :func:`~immunocare.population.report.render_report`: a finished screen as one self-contained
  HTML report (inline SVG plots, no external resource, pseudonymous person ids only).
"""

from .report import render_report

__all__ = ["render_report"]
