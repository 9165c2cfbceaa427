"""Systems thinking models (causal loop diagrams, stock-and-flow models)."""
