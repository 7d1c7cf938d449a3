"""The clinical core: pure reasoning from a patient record, the knowledge base and a day.

Nothing here does I/O or reads a clock; every function takes ``as_of``. Every answer is a
:class:`~immunocare.domain.Finding` (with its evidence, sources and what is missing) or a
:class:`~immunocare.domain.Recommendation`.

- :mod:`.labs`: each laboratory result against its reference for the age and sex at collection.
- :mod:`.criteria`: the evaluator of the knowledge base's criterion language, and ESID classification.
- :mod:`.warning_signs`, :mod:`.recognize`: the warning signs, referral advice, the watch on
  secondary immunodeficiency.
- :mod:`.growth`, :mod:`.vaccine_response`, :mod:`.test_results`, :mod:`.workup`: growth against
  the WHO standards, the vaccine challenge, tests without a number, the staged work-up plan.
- :mod:`.assess`: everything above gathered in one :class:`~immunocare.domain.Assessment`.
"""

__all__: list[str] = []
