"""Curative options for inborn errors of immunity: HSCT and gene therapy, from the ``hsct`` topic.

- :mod:`._section`: the assessment's "Curative options: transplant and gene therapy" section.
"""

from ._section import curative_section

__all__ = ["curative_section"]
