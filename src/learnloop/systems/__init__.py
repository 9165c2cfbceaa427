"""Systems thinking: causal loop diagrams bound to live data, and stock-and-flow models
(docs/systems.md). The pure analysis lives in learnloop.analytics.systems."""
