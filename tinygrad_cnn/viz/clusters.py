"""Module clusters: the nested boxes that group ops by the module whose forward recorded them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tinygrad_cnn.autograd import scope_label

Key = tuple[int, ...]  # the ids of the modules of a scope, outermost first


@dataclass(eq=False)
class Cluster:
    """One module call site: `label` like ``features.0 (Conv2d)``, nested under `parent`."""

    key: Key
    id: str
    label: str
    depth: int
    parent: Cluster | None


class ClusterTree:
    """The clusters met so far, created on demand from scopes, in a fixed order."""

    def __init__(self) -> None:
        self.clusters: dict[Key, Cluster] = {}

    def of_scope(self, scope: tuple[Any, ...]) -> Cluster | None:
        """The innermost cluster of `scope` (None for ops run outside any module)."""
        key: Key = tuple(id(m) for m in scope)
        cluster = self.clusters.get(key)
        if cluster is not None or not scope:
            return cluster
        parent = None
        for depth in range(1, len(scope) + 1):
            prefix = key[:depth]
            cluster = self.clusters.get(prefix)
            if cluster is None:
                cluster = Cluster(prefix, f"cluster_{len(self.clusters)}",
                                  scope_label(scope[:depth]), depth, parent)
                self.clusters[prefix] = cluster
            parent = cluster
        return cluster

    def common(self, clusters: list[Cluster | None]) -> Cluster | None:
        """The innermost cluster holding all of `clusters` (None when one is at the top)."""
        if not clusters or clusters[0] is None:
            return None
        shared = clusters[0].key
        for cluster in clusters[1:]:
            if cluster is None:
                return None
            n = 0
            while n < min(len(shared), len(cluster.key)) and shared[n] == cluster.key[n]:
                n += 1
            shared = shared[:n]
        return self.clusters.get(shared)

    def deepest_first(self) -> list[Cluster]:
        """Clusters by decreasing depth, in creation order within a depth (for nesting)."""
        return sorted(self.clusters.values(), key=lambda c: -c.depth)
