"""Accounts: register with an invite code, log in and out, profile and password."""
from board.auth.views import bp

__all__ = ["bp"]
