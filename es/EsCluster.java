/*
 * firewatch: start a real Elasticsearch 7.10.2 cluster of N nodes inside this one JVM.
 *
 * Run with Java 17's single-file source mode, no compile step:
 *   java -Xmx512m -cp 'es/lib/*' es/EsCluster.java NODES HTTP_PORT DATA_DIR CLUSTER_NAME [--serve]
 * NODES       how many master+data+ingest nodes (1 runs as discovery.type=single-node)
 * HTTP_PORT   0 gives every node an ephemeral HTTP port; P tries P..P+99 (first free wins)
 * DATA_DIR    one folder per node is made under it (node_1, node_2, ...)
 * --serve     run until killed (SIGTERM closes the nodes) instead of reading stdin
 *
 * Output on stdout, one line each: "NODE i http://127.0.0.1:PORT" per node, then "READY".
 * Everything else (Elasticsearch's own warnings) goes to stderr. Without --serve it then
 * reads commands on stdin: "stop i" -> "STOPPED i", "start i" -> "STARTED i URL",
 * "nodes" -> the NODE lines again, "quit" (or end of stdin) closes every node and exits.
 * A failed command prints "ERROR <reason>"; a failed start-up "FAILED <reason>" (exit 1).
 * Transport ports are picked free at start-up and kept across a node's restart; every
 * node seeds discovery with all of them, so clusters never find each other and several
 * can run side by side. Node 1 bootstraps alone (it is the first master); READY waits
 * until the voting configuration holds every node, so any single node may then stop.
 */

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner;
import org.elasticsearch.action.admin.cluster.health.ClusterHealthResponse;
import org.elasticsearch.common.unit.TimeValue;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.Node;

public class EsCluster {

    static final String LOG_CONFIG = String.join("\n",
            "status = error",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.target = SYSTEM_ERR",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d{ISO8601}][%-5p][%c{1.}] %m%n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.console.ref = console",
            // Expected while a node is stopped on purpose; the client handles it.
            "logger.discovery.name = org.elasticsearch.cluster.coordination",
            "logger.discovery.level = error",
            "logger.connections.name = org.elasticsearch.cluster.NodeConnectionsService",
            "logger.connections.level = error",
            "logger.deprecation.name = org.elasticsearch.deprecation",
            "logger.deprecation.level = error",
            "logger.dangling.name = org.elasticsearch.gateway.DanglingIndicesState",
            "logger.dangling.level = error",
            "");

    final ElasticsearchClusterRunner runner = new ElasticsearchClusterRunner();
    final PrintStream out;
    final int nodes;
    final BlockingQueue<String> commands = new LinkedBlockingQueue<>();
    volatile boolean ready;

    EsCluster(PrintStream out, int nodes) {
        this.out = out;
        this.nodes = nodes;
    }

    public static void main(String[] args) throws Exception {
        // Keep stdout for the machine-readable lines only; the runner prints chatter there.
        PrintStream protocol = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        if (args.length < 4) {
            System.err.println("usage: java -cp 'es/lib/*' es/EsCluster.java NODES HTTP_PORT DATA_DIR CLUSTER_NAME [--serve]");
            System.exit(2);
        }
        System.setProperty("es.distribution.flavor", System.getProperty("es.distribution.flavor", "default"));
        System.setProperty("log4j.shutdownHookEnabled", "false");
        System.setProperty("log4j2.disable.jmx", "true");
        System.setProperty("org.apache.logging.log4j.simplelog.StatusLogger.level", "OFF");
        int nodes = Integer.parseInt(args[0]);
        int httpPort = Integer.parseInt(args[1]);
        Path dataDir = Paths.get(args[2]).toAbsolutePath();
        String clusterName = args[3];
        boolean serve = args.length > 4 && args[4].equals("--serve");
        // One logging set-up for the whole JVM, made before log4j starts: the runner's
        // per-node reconfiguration closes the previous console stream (stderr went dead).
        Files.createDirectories(dataDir);
        Path logConfig = dataDir.resolve("log4j2.properties");
        Files.writeString(logConfig, LOG_CONFIG);
        System.setProperty("log4j.configurationFile", logConfig.toString());

        EsCluster cluster = new EsCluster(protocol, nodes);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::closeQuietly, "es-cluster-shutdown"));
        if (!serve) {
            cluster.readCommands();  // from now on, end of stdin (parent gone) ends this JVM
        }
        try {
            cluster.build(httpPort, dataDir, clusterName);
            cluster.waitForNodes(nodes, 120);
        } catch (Throwable e) {
            System.err.println("Elasticsearch failed to start: " + e);
            e.printStackTrace();
            protocol.println("FAILED " + e.toString().replace('\n', ' '));
            cluster.closeQuietly();
            System.exit(1);
        }
        for (int i = 1; i <= nodes; i++) {
            protocol.println("NODE " + i + " " + cluster.url(i));
        }
        protocol.println("READY");
        if (serve) {
            while (!cluster.runner.isClosed()) {
                Thread.sleep(1000);  // the shutdown hook closes the nodes on SIGTERM
            }
            return;
        }
        cluster.serveCommands();
        cluster.closeQuietly();
        System.exit(0);
    }

    void build(int httpPort, Path dataDir, String clusterName) throws Exception {
        String httpPorts = httpPort == 0 ? "0" : httpPort + "-" + (httpPort + 99);
        List<String> seeds = freeTransportAddresses(nodes);
        runner.setMaxHttpPort(-1);  // we choose the ports; skip the runner's own probing
        runner.onBuild((index, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", httpPorts);
            settings.put("transport.port", seeds.get(index - 1).split(":")[1]);
            settings.putList("node.roles", "master", "data", "ingest");
            settings.put("cluster.routing.allocation.disk.threshold_enabled", false);
            if (nodes == 1) {
                settings.put("discovery.type", "single-node");
            } else {
                // Node 1 bootstraps alone, so it is the first master; the others join it.
                // Fixed transport ports let a restarted node find the others and be found.
                settings.putList("cluster.initial_master_nodes", "Node 1");
                settings.putList("discovery.seed_hosts", seeds);
            }
        });
        runner.build(new ElasticsearchClusterRunner.Configs()
                .numOfNode(nodes)
                .basePath(dataDir.toString())
                .clusterName(clusterName)
                .disableESLogger());
    }

    Node node(int i) {
        Node node = runner.getNode(i - 1);
        if (node == null) {
            throw new IllegalArgumentException("no node " + i + " (nodes are 1.." + nodes + ")");
        }
        return node;
    }

    /** Ports the kernel reports free now; held open together so they are distinct. */
    static List<String> freeTransportAddresses(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        List<String> addresses = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                addresses.add("127.0.0.1:" + socket.getLocalPort());
            }
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
        return addresses;
    }

    String url(int i) {
        return "http://" + node(i).injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
    }

    Node liveNode() {
        for (int i = 1; i <= nodes; i++) {
            if (!node(i).isClosed()) {
                return node(i);
            }
        }
        throw new IllegalStateException("every node is stopped");
    }

    void waitForNodes(int count, int seconds) {
        ClusterHealthResponse health = liveNode().client().admin().cluster().prepareHealth()
                .setWaitForNodes(Integer.toString(count))
                .setWaitForYellowStatus()
                .setTimeout(TimeValue.timeValueSeconds(seconds))
                .get();
        if (health.isTimedOut()) {
            throw new IllegalStateException("cluster did not reach " + count + " nodes and yellow within "
                    + seconds + " s (it has " + health.getNumberOfNodes() + ", " + health.getStatus() + ")");
        }
        // Until the voting configuration holds every node, stopping one can leave the rest
        // without a quorum (seen when node 1 stopped right after start-up).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        int wanted = count % 2 == 1 ? count : count - 1;  // Elasticsearch keeps it odd
        int voters = 0;
        while (nodes > 1) {
            voters = liveNode().client().admin().cluster().prepareState().clear().setMetadata(true).get()
                    .getState().coordinationMetadata().getLastCommittedConfiguration().getNodeIds().size();
            if (voters >= wanted || System.nanoTime() > deadline) {
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (nodes > 1 && voters < wanted) {
            throw new IllegalStateException("the voting configuration has " + voters + " of " + count
                    + " nodes after " + seconds + " s");
        }
    }

    int liveCount() {
        int live = 0;
        for (int i = 1; i <= nodes; i++) {
            live += node(i).isClosed() ? 0 : 1;
        }
        return live;
    }

    /** Read stdin on a daemon thread; at its end exit at once if still starting up. */
    void readCommands() {
        Thread reader = new Thread(() -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            try {
                String line;
                while ((line = in.readLine()) != null) {
                    commands.put(line);
                }
            } catch (Exception e) {
                System.err.println("reading stdin: " + e);
            }
            if (!ready) {
                System.err.println("stdin closed during start-up: shutting down");
                System.exit(1);  // the shutdown hook closes the nodes started so far
            }
            commands.add("quit");
        }, "es-cluster-stdin");
        reader.setDaemon(true);
        reader.start();
    }

    void serveCommands() throws Exception {
        ready = true;
        while (true) {
            String line = commands.take();
            String[] words = line.trim().split("\\s+");
            try {
                switch (words[0]) {
                    case "" -> { }
                    case "quit" -> { return; }
                    case "nodes" -> {
                        for (int i = 1; i <= nodes; i++) {
                            out.println("NODE " + i + " " + (node(i).isClosed() ? "stopped" : url(i)));
                        }
                        out.println("READY");
                    }
                    case "stop" -> {
                        int i = Integer.parseInt(words[1]);
                        Node node = node(i);
                        node.close();
                        node.awaitClose(30, TimeUnit.SECONDS);
                        out.println("STOPPED " + i);
                    }
                    case "start" -> {
                        int i = Integer.parseInt(words[1]);
                        if (!node(i).isClosed()) {
                            throw new IllegalStateException("node " + i + " is running");
                        }
                        if (!runner.startNode(i - 1)) {
                            throw new IllegalStateException("node " + i + " did not start (see stderr)");
                        }
                        waitForNodes(liveCount(), 120);
                        out.println("STARTED " + i + " " + url(i));
                    }
                    default -> throw new IllegalArgumentException("unknown command '" + words[0]
                            + "' (use: stop N, start N, nodes, quit)");
                }
            } catch (Exception e) {
                out.println("ERROR " + e.toString().replace('\n', ' '));
            }
        }
    }

    synchronized void closeQuietly() {
        if (runner.isClosed()) {
            return;
        }
        try {
            runner.close();
        } catch (Exception e) {
            System.err.println("closing Elasticsearch: " + e);
        }
    }
}
