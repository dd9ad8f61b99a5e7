"""My data, mine: download everything the board holds about me, delete my account; coordinators erase a person."""
from board.accounts.views import bp

__all__ = ["bp"]
