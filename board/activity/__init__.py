"""My activity: my needs, my offers, what I am helping with, each with its next action."""
from board.activity.views import bp

__all__ = ["bp"]
