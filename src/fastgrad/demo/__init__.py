"""The demo behind `python -m fastgrad demo`."""
