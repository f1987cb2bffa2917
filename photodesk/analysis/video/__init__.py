"""Video: decode.py (PyAV, streamed, clear refusals), shots.py (cuts and the frame kept per
shot), timeline.py (frame facts into time ranges), pipeline.py (analyse, store). Needs the
`video` extra; nothing imports this package unless a site has videos."""
