"""Tests of qtwin.designs (a package, so its module names may repeat those of tests/experiments)."""
