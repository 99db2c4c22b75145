"""Issue 5's three-node test: a node stops mid-way through indexing and nothing is lost.

Three real Elasticsearch 7.10.2 nodes; the listings index has three shards with one
replica each. `ElasticsearchIndex` gets all three node URLs and writes listings in bulk
batches; after some batches one node is closed and the writes go on (the client moves
to the other nodes, the master promotes the lost primaries' replicas, and bulk items
wait for that instead of failing). At the end every listing written is counted, fetched
by id and found by a Chinese text query. One case stops a data node that is not the
master (node 3: node 1 bootstraps the cluster so it is the master); the other stops the
elected master (node 1), which adds an election to the outage. Then the node starts
again and the cluster turns green with all three; both cases use the same cluster, one
after the other (each with its own index).
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from firewatch.core.models import Listing
from firewatch.search.base import doc_id_of
from firewatch.search.elasticsearch import ElasticsearchIndex

BATCHES = 12
BATCH_SIZE = 100
STOP_AFTER = 4  # batches written before the node stops


def listing(n: int) -> Listing:
    """Listing n: every even one is a fire extinguisher, every odd one a smoke alarm."""
    title = f"干粉灭火器 4kg 第{n}号" if n % 2 == 0 else f"家用烟雾报警器 第{n}号"
    seen = datetime(2026, 11, 1, tzinfo=timezone.utc)
    return Listing(platform="jd", listing_id=str(n), url=f"https://example.test/jd/{n}", title=title,
                   price=Decimal("35.00"), shop_id="s1", shop_name="消防器材旗舰店", first_seen=seen, last_seen=seen)


def master_name(index: ElasticsearchIndex) -> str:
    return index.es.cat.master(format="json")[0]["node"]


@pytest.fixture(scope="module")
def cluster(es_cluster):
    """One three-node cluster for both cases (starting three JVMs is the slow part): each
    case starts from it green with three nodes, node 1 the master, and leaves it so again."""
    return es_cluster(nodes=3, heap="1g")


@pytest.mark.parametrize("stopped, is_master", [(3, False), (1, True)], ids=["data-node", "elected-master"])
def test_stopping_a_node_mid_indexing_loses_no_write(cluster, stopped, is_master):
    index = ElasticsearchIndex(cluster.live_urls(), prefix=f"cluster{stopped}", timeout=60, retries=5, backoff=0.5,
                               shards=3, replicas=1, chunk_size=BATCH_SIZE)
    try:
        index.init()
        health = index.es.cluster.health(index=index.alias, wait_for_status="green", timeout="60s")
        assert health["status"] == "green" and health["number_of_nodes"] == 3
        assert (master_name(index) == f"Node {stopped}") is is_master

        written = 0
        for batch in range(BATCHES):
            if batch == STOP_AFTER:
                cluster.stop_node(stopped)
            written += index.index_many((listing(n), None) for n in range(batch * BATCH_SIZE, (batch + 1) * BATCH_SIZE))
        assert written == BATCHES * BATCH_SIZE

        # Every primary lives on the two remaining nodes; replicas wait for a third.
        health = index.es.cluster.health(index=index.alias, wait_for_status="yellow", timeout="60s")
        assert health["status"] in ("yellow", "green") and health["number_of_nodes"] == 2
        assert master_name(index) != f"Node {stopped}"
        index.refresh()

        assert index.count() == written
        ids = [doc_id_of("jd", str(n)) for n in range(written)]
        for lo in range(0, written, 500):
            docs = index.es.mget(index=index.alias, body={"ids": ids[lo:lo + 500]})["docs"]
            assert [d["_id"] for d in docs if d["found"]] == ids[lo:lo + 500]
        for n in (0, STOP_AFTER * BATCH_SIZE, written - 1):  # before, at and after the stop
            hit = index.get(("jd", str(n)))
            assert hit is not None and hit.title == listing(n).title
        found = index.search("灭火器", page_size=10)
        assert found.total == written // 2
        assert all("灭火器" in hit.title for hit in found.hits)

        # The node comes back with its data; the replicas recover onto it.
        cluster.start_node(stopped)
        health = index.es.cluster.health(index=index.alias, wait_for_status="green", timeout="60s")
        assert health["status"] == "green" and health["number_of_nodes"] == 3
        assert index.count() == written
        index.drop()
    finally:
        index.close()
