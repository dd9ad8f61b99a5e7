"""Households (一户一档): homes and the people in them, with or without a phone; members and their roles.

The blueprint lives in board.households.views; this package's service is imported by lower layers
(accounts, cards), so importing the package must not pull the views (and every domain) in.
"""
