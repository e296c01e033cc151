"""Fuzzers of parrules: `python fuzz/run.py` (make fuzz); see run.py."""
