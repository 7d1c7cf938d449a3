"""immunocare: records and decision support for immunodeficiency care centers.

The layers, from the inside out (imports only point inward, see ``docs/architecture.md``):
``domain`` (the patient record) ← ``knowledge`` (cited clinical data) ← ``clinical`` (pure
reasoning) ← ``store`` / ``interop`` / ``population`` ← ``services`` (use cases) ← ``api`` /
``web`` / ``cli`` (the doors).
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
