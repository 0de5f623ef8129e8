"""The attack suite: every case is refused with a problem document, and nothing is written."""
