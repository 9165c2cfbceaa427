"""The choices an analysis takes, in a module of their own so a command line can offer them
(and print its --help) without loading numpy and scipy."""

METRIC_TYPES: tuple[str, ...] = ("mean", "binomial", "ratio")
ENGINES: tuple[str, ...] = ("frequentist", "bayesian", "sequential")
DIFFERENCE_TYPES: tuple[str, ...] = ("absolute", "relative")
DEFAULT_TUNING = 5000.0  # the sequential engine's total sample size where its interval is tightest
