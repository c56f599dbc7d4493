"""The look of every drawing: fonts, one style per kind of node, module boxes, layer colours."""

from __future__ import annotations

FONT = "Helvetica"
GRAPH_ATTR = {"fontname": FONT}
NODE_ATTR = {"fontname": FONT, "fontsize": "10"}
EDGE_ATTR = {"arrowsize": "0.6", "color": "#555555"}

# One look per kind of node; docs/visualization.md shows the same legend.
NODES: dict[str, dict[str, str]] = {
    "op": {"shape": "box", "style": "rounded,filled", "fillcolor": "#dde7f3",
           "color": "#4a6d99"},
    "result": {"shape": "ellipse", "fontsize": "9", "color": "#9a9a9a", "fontcolor": "#444444",
               "margin": "0.02"},
    "param": {"shape": "ellipse", "style": "filled", "fillcolor": "#d5ecd0", "color": "#4d8a43"},
    "leaf": {"shape": "ellipse", "style": "filled", "fillcolor": "#d5ecd0", "color": "#4d8a43"},
    "input": {"shape": "ellipse", "style": "filled", "fillcolor": "#fcefc4", "color": "#a88a2e"},
    "constant": {"shape": "plaintext", "fontsize": "9", "fontcolor": "#666666"},
    "output": {"shape": "ellipse", "style": "filled,bold", "fillcolor": "#f7cdbd",
               "color": "#b5532f"},
}

CLUSTER = {"style": "rounded", "color": "#8c99a6", "fontcolor": "#4c5864", "fontsize": "10",
           "labeljust": "l"}

# Layer boxes of the architecture view, coloured by family: the first name fragment found in
# the layer's class name wins.
LAYER = {"shape": "box", "style": "rounded,filled", "color": "#66727f"}
LAYER_COLORS = (
    ("Conv", "#cfe0f3"),
    ("Pool", "#fbe3c1"),
    ("Linear", "#d5ecd0"),
    ("Norm", "#efe3f7"),
    ("Dropout", "#f1f1f1"),
    ("Flatten", "#f1f1f1"),
)
ACTIVATION_COLOR = "#fbf7e6"  # ReLU, Tanh, Softmax and everything else
