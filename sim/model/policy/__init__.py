"""Policies: organisations that act on the freelancers (the alliance)."""
