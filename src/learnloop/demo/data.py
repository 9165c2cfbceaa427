"""Demo content is data: each app keeps the prose its demo builder uses in YAML files under
`<app>/demo_data/`, beside its `demo.py`, so the domain code holds no demo text."""

from importlib import resources


def load_demo_data(package: str, name: str):
    """The parsed YAML file `<package>/demo_data/<name>`, e.g. ("learnloop.knowledge", "teams.yaml")."""
    import yaml  # loaded on use: only the demo reads YAML at run time

    text = resources.files(package).joinpath("demo_data", name).read_text(encoding="utf-8")
    # The C safe loader when libyaml is there (knowledge's teams.yaml: 0.3 s instead of 4.5 s on a
    # busy two-core machine), else the Python one: both are safe loaders.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
