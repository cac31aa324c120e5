"""Tests of qtwin.rb (a package, so its module names may repeat those of tests/experiments)."""
