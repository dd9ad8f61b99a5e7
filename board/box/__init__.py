"""Shared stock: the medicine box (共享药箱) and the love corner (爱心角), with their register."""
from board.box.views import bp

__all__ = ["bp"]
