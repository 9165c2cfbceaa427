"""Pure analytics: numbers and text in, dataclasses out. No Django imports here, so every
function can be tested against peer implementations and reused by the CLI, API and pages."""
