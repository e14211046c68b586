"""The polarity stage."""
