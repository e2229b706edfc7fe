"""Learning analytics for Open edX as a Tutor plugin."""

from .__about__ import __version__

__all__ = ["__version__"]
