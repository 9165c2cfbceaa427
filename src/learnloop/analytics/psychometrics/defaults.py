"""Defaults a command line offers before any numbers are loaded (this module imports nothing)."""

OMEGA_FACTORS = 3  # psych::omega's default number of group factors
