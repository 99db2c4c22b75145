"""Elasticsearch fixtures: real 7.10.2 nodes in a JVM started by `firewatch.search.es_node`.

`es_url` is one node for the whole session (a unique cluster name, data in a temporary
folder); `es_cluster` is a factory for multi-node clusters, stopped after the test that
made them. A missing `es/lib` fails the test with the fix (`make es-fetch`) rather than
skipping it: `make test` fetches the jars first, so a skip would only hide a broken set-up.
"""

from __future__ import annotations

import uuid

import pytest

from firewatch.search.es_node import EsCluster, EsNodeError


def _start(cluster: EsCluster) -> EsCluster:
    try:
        cluster.start()
    except EsNodeError as exc:
        pytest.fail(f"could not start Elasticsearch for the tests: {exc}", pytrace=False)
    return cluster


@pytest.fixture(scope="session")
def es_url(tmp_path_factory) -> str:
    """URL of one real Elasticsearch 7.10.2 node, shared by the session (use your own index names)."""
    cluster = _start(EsCluster(nodes=1, data_dir=tmp_path_factory.mktemp("es-session"),
                               cluster_name=f"firewatch-test-{uuid.uuid4().hex[:8]}", heap="512m"))
    yield cluster.live_urls()[0]
    cluster.stop()


@pytest.fixture
def es_cluster(tmp_path):
    """Factory: `es_cluster(nodes=3, heap="1g")` starts a cluster and returns its `EsCluster`.

    Node 1 bootstraps the cluster, so it is the elected master until it stops. Every
    cluster made is stopped when the test ends.
    """
    started: list[EsCluster] = []

    def start(nodes: int = 3, heap: str = "1g") -> EsCluster:
        cluster = EsCluster(nodes=nodes, data_dir=tmp_path / f"es-{len(started)}",
                            cluster_name=f"firewatch-test-{uuid.uuid4().hex[:8]}", heap=heap)
        started.append(cluster)
        return _start(cluster)

    yield start
    for cluster in started:
        cluster.stop()
