"""Systems thinking models (causal loop diagrams, stock-and-flow models)."""

from learnloop.systems.diagram_models import (  # noqa: F401
    Diagram,
    DiagramAttachment,
    DiagramComment,
    DiagramIntervention,
    DiagramVersion,
)
from learnloop.systems.stockflow_models import (  # noqa: F401  (stock-and-flow models)
    Scenario,
    ScenarioIntervention,
    SensitivityRun,
    StockFlowModel,
)
