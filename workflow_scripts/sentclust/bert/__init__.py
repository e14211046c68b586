"""The bert stage."""
