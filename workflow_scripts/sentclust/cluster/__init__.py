"""The cluster stage."""
