"""The error every simulation problem raises (a leaf module: simulation and model_safety both use it)."""


class SimulationError(ValueError):
    """The model can't be simulated as asked; the message says why (exit status 2 in the CLI)."""
