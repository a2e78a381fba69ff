"""Example domain: a small shop that exercises every practice of the template."""
