"""The assign stage."""
