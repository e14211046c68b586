"""The wordvec stage."""
