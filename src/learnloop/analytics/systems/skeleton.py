"""A causal loop diagram turned into a stock-and-flow skeleton to fill in.

The rule (docs/systems.md):
1. A variable with a delay-marked link coming in becomes a stock: a delay is something building
   up or draining over time.
2. Every feedback loop still without a stock gets one, its variable with the most links coming
   in (ties: the one listed first): every loop of a runnable model passes through a stock, or its
   equations would be simultaneous. Loops are taken from the bounded loop search, shortest first.
3. Each stock S gets one net flow, "change in S"; the links into S become the inputs of that flow
   (the stock itself is the accumulated flow).
4. Every other variable is an auxiliary whose inputs are its incoming links.

Equations are left for the modeller: stocks start at 0, flows and auxiliaries are 0, and each
element's documentation lists its inputs with their polarity. The XMILE text reads and runs in
PySD (flat lines) so the skeleton can be opened, filled in and simulated.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from learnloop.analytics.systems.graph import CausalModel
from learnloop.analytics.systems.loops import LoopAnalysis, find_loops

XMILE_NAMESPACE = "http://docs.oasis-open.org/xmile/ns/XMILE/v1.0"


@dataclass(frozen=True)
class Skeleton:
    stocks: tuple[dict, ...]  # {"name", "flow", "reason"}
    flows: tuple[dict, ...]  # {"name", "stock", "inputs": [[variable, polarity], ...]}
    auxiliaries: tuple[dict, ...]  # {"name", "inputs": [[variable, polarity], ...]}
    xmile: str

    def as_dict(self) -> dict:
        return {"stocks": list(self.stocks), "flows": list(self.flows), "auxiliaries": list(self.auxiliaries)}


def flow_name(stock: str) -> str:
    return f"change in {stock}"


def stock_and_flow_skeleton(model: CausalModel, analysis: LoopAnalysis | None = None, *,
                            title: str = "Skeleton", start: float = 0, stop: float = 100,
                            dt: float = 1) -> Skeleton:
    analysis = analysis if analysis is not None else find_loops(model)
    inputs: dict[str, list[list[str]]] = {name: [] for name in model.variables}
    for link in model.links:
        inputs[link.target].append([link.source, link.polarity])
    reasons: dict[str, str] = {}
    for link in model.links:
        if link.delay and link.target not in reasons:
            reasons[link.target] = f"delayed link from {link.source}"
    for loop in analysis.loops:
        if not any(name in reasons for name in loop.variables):
            chosen = max(loop.variables, key=lambda name: (len(inputs[name]), -model.index(name)))
            reasons[chosen] = f"loop {loop.label} needs a stock"
    order = [name for name in model.variables if name in reasons]
    stocks = tuple({"name": name, "flow": flow_name(name), "reason": reasons[name]} for name in order)
    flows = tuple({"name": flow_name(name), "stock": name, "inputs": inputs[name]} for name in order)
    auxiliaries = tuple({"name": name, "inputs": inputs[name]} for name in model.variables if name not in reasons)
    return Skeleton(stocks=stocks, flows=flows, auxiliaries=auxiliaries,
                    xmile=_xmile(title, stocks, flows, auxiliaries, start, stop, dt))


def _reference(name: str) -> str:
    return "_".join(name.split())


def _documentation(element_inputs: list[list[str]]) -> str:
    if not element_inputs:
        return "No inputs in the diagram. Fill in the equation."
    listed = ", ".join(f"{source} ({polarity})" for source, polarity in element_inputs)
    return f"Fill in the equation. Depends on: {listed}."


def _xmile(title, stocks, flows, auxiliaries, start, stop, dt) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<xmile version="1.0" xmlns="{XMILE_NAMESPACE}">',
             "  <header>", "    <vendor>Learnloop</vendor>", '    <product version="1.0">Learnloop</product>',
             f"    <name>{escape(title)}</name>", "  </header>",
             f"  <sim_specs><start>{start:g}</start><stop>{stop:g}</stop><dt>{dt:g}</dt></sim_specs>",
             "  <model>", "    <variables>"]
    for stock, flow in zip(stocks, flows, strict=True):
        lines += [f"      <stock name={quoteattr(stock['name'])}>", "        <eqn>0</eqn>",
                  f"        <inflow>{escape(_reference(flow['name']))}</inflow>",
                  f"        <doc>{escape('Stock (' + stock['reason'] + '). Set its initial value.')}</doc>",
                  "      </stock>"]
    for flow in flows:
        lines += [f"      <flow name={quoteattr(flow['name'])}>", "        <eqn>0</eqn>",
                  f"        <doc>{escape(_documentation(flow['inputs']))}</doc>", "      </flow>"]
    for aux in auxiliaries:
        lines += [f"      <aux name={quoteattr(aux['name'])}>", "        <eqn>0</eqn>",
                  f"        <doc>{escape(_documentation(aux['inputs']))}</doc>", "      </aux>"]
    lines += ["    </variables>", "  </model>", "</xmile>", ""]
    return "\n".join(lines)
