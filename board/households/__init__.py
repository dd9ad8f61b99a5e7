"""Households (一户一档): homes and the people in them, with or without a phone; members and their roles."""
from board.households.views import bp

__all__ = ["bp"]
