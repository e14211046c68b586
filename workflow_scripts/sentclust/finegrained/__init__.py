"""The finegrained stage."""
