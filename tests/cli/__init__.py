"""Tests of the `draxis` command (`cli/`) and its demo seeds."""
