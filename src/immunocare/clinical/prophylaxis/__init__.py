"""Antimicrobial prophylaxis by diagnosis group, from the ``prophylaxis`` topic.

- :mod:`._section`: the assessment's "Antimicrobial prophylaxis" section.
"""

from ._section import prophylaxis_section

__all__ = ["prophylaxis_section"]
