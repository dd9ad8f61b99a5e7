"""Needs and offers: the board, posting, a card's page."""
from board.cards.views import bp

__all__ = ["bp"]
