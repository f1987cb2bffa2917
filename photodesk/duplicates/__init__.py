"""Copies of the same picture (resized, re-encoded, lightly cropped, marked) found as photos
arrive, grouped for review, and resolved by keeping one and merging what people said about
the others into it."""
