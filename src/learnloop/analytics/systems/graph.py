"""A causal loop diagram as plain data: variables and signed, possibly delayed, causal links.

A link `source -> target` with polarity "+" means "more source, more target (all else equal)";
"-" means "more source, less target". `delay=True` marks a link whose effect takes noticeably
longer than the others (the double bar on a diagram). The model is what a page, the API or a
test builds from a drawing; loop and archetype analysis read only this.
"""

from dataclasses import dataclass, field

POLARITIES = ("+", "-")
MAX_NAME_LENGTH = 200


class ModelError(ValueError):
    """The diagram can't be analysed; the message names the variable or link."""


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    polarity: str = "+"
    delay: bool = False

    @property
    def negative(self) -> bool:
        return self.polarity == "-"


@dataclass(frozen=True)
class CausalModel:
    """Variables in the order given (that order breaks every tie in the analysis) and links.

    Build it with `CausalModel.build(variables, links)`, which checks names and polarities; at
    most one link per ordered pair of variables (a second one would be a different claim about
    the same influence)."""

    variables: tuple[str, ...]
    links: tuple[Link, ...]
    _index: dict = field(default_factory=dict, compare=False, repr=False)
    _by_pair: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, variables, links) -> "CausalModel":
        names: list[str] = []
        seen: set[str] = set()
        for name in variables:
            if not isinstance(name, str) or not name.strip():
                raise ModelError("A variable needs a name.")
            if len(name) > MAX_NAME_LENGTH:
                raise ModelError(f"Variable {name[:40]!r}…: longer than {MAX_NAME_LENGTH} characters.")
            if name in seen:
                raise ModelError(f"Variable {name!r} appears twice.")
            seen.add(name)
            names.append(name)
        built: list[Link] = []
        pairs: dict[tuple[str, str], Link] = {}
        for item in links:
            link = item if isinstance(item, Link) else _link_from(item)
            for end in (link.source, link.target):
                if end not in seen:
                    raise ModelError(f"Link {link.source!r} -> {link.target!r}: no variable named {end!r}.")
            if link.polarity not in POLARITIES:
                raise ModelError(f"Link {link.source!r} -> {link.target!r}: polarity must be + or -, "
                                 f"not {link.polarity!r}.")
            if (link.source, link.target) in pairs:
                raise ModelError(f"Link {link.source!r} -> {link.target!r} appears twice.")
            pairs[link.source, link.target] = link
            built.append(link)
        model = cls(tuple(names), tuple(built))
        model._index.update({name: number for number, name in enumerate(names)})
        model._by_pair.update(pairs)
        return model

    def index(self, name: str) -> int:
        return self._index[name]

    def link(self, source: str, target: str) -> Link:
        return self._by_pair[source, target]

    def successors(self) -> list[list[int]]:
        """Adjacency by variable number, targets in link order."""
        out: list[list[int]] = [[] for _ in self.variables]
        for link in self.links:
            out[self._index[link.source]].append(self._index[link.target])
        return out


def _link_from(item) -> Link:
    """A Link from a dict {source, target, polarity, delay} or a tuple (source, target[, polarity[, delay]])."""
    if isinstance(item, dict):
        polarity = item.get("polarity", "+")
        return Link(item.get("source"), item.get("target"), _polarity(polarity), bool(item.get("delay", False)))
    parts = tuple(item)
    if not 2 <= len(parts) <= 4:
        raise ModelError(f"A link is (source, target[, polarity[, delay]]), not {item!r}.")
    source, target, *rest = parts
    polarity = rest[0] if rest else "+"
    delay = bool(rest[1]) if len(rest) > 1 else False
    return Link(source, target, _polarity(polarity), delay)


def _polarity(value) -> str:
    """'+', '-', '−' (the minus sign), 1 and -1 all read as a polarity."""
    if value in (1, "1", "+1", "positive"):
        return "+"
    if value in (-1, "-1", "−", "negative"):
        return "-"
    return value
