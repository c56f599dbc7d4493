"""Read the DOT text the drawers write back into nodes, edges and clusters, for assertions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NODE = re.compile(r'^\s*(\w+) \[label=(<.*>|"(?:[^"\\]|\\.)*"|\S+)(.*)\]$')
_EDGE = re.compile(r"^\s*(\w+) -> (\w+)")
_SUBGRAPH = re.compile(r"^\s*subgraph (\w+) \{")
_CLUSTER_LABEL = re.compile(r'label=("(?:[^"\\]|\\.)*"|[^\s\]]+)')


@dataclass
class Parsed:
    """Nodes by id (label, attribute text, enclosing cluster), edges, clusters with parents."""

    labels: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    home: dict[str, str | None] = field(default_factory=dict)
    edges: list[tuple[str, str]] = field(default_factory=list)
    cluster_labels: dict[str, str] = field(default_factory=dict)
    cluster_parent: dict[str, str | None] = field(default_factory=dict)

    def ids_with_label(self, label: str) -> list[str]:
        """Node ids whose first label line equals `label`."""
        return [i for i, text in self.labels.items() if text.split("\n")[0] == label]

    def cluster_named(self, label: str) -> str:
        """The id of the one cluster labelled `label`."""
        (found,) = [c for c, text in self.cluster_labels.items() if text == label]
        return found


def _unquote(text: str) -> str:
    if text.startswith('"'):
        text = text[1:-1]
    return text.replace("\\n", "\n").replace('\\"', '"')


def parse(source: str) -> Parsed:
    """Parse the line-per-statement DOT that python-graphviz writes."""
    parsed = Parsed()
    stack: list[str | None] = [None]
    for line in source.splitlines():
        if match := _SUBGRAPH.match(line):
            parsed.cluster_parent[match.group(1)] = stack[-1]
            stack.append(match.group(1))
        elif line.strip() == "}":
            stack.pop()
        elif line.strip().startswith("graph [") and stack[-1] is not None:
            label = _CLUSTER_LABEL.search(line)
            parsed.cluster_labels[stack[-1]] = _unquote(label.group(1)) if label else ""
        elif match := _EDGE.match(line):
            parsed.edges.append((match.group(1), match.group(2)))
        elif match := _NODE.match(line):
            node = match.group(1)
            parsed.labels[node] = _unquote(match.group(2))
            parsed.attrs[node] = match.group(3)
            parsed.home[node] = stack[-1]
    return parsed
