package p2pedge;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packages' dependencies point one way: jdeps reads them from the compiled classes (imports, inline names,
 * everything the bytecode refers to), and any strongly connected set of more than one package fails the build.
 */
class ArchitectureTest {

    /** Packages every component may use and that use no other package of the edge. */
    private static final Set<String> LEAVES = Set.of("p2pedge.config", "p2pedge.webrtc", "p2pedge.metrics",
            "p2pedge.cluster.events", "p2pedge.net", "p2pedge.bus");
    /** The wire (ICE, DTLS-SRTP, RTP) builds on the shared WebRTC values and per-address caps only. */
    private static final Map<String, Set<String>> LOW_LAYERS = Map.of("p2pedge.media.rtc", Set.of("p2pedge.webrtc", "p2pedge.net"));

    private static final Pattern EDGE = Pattern.compile("^\\s+(p2pedge[\\w.]*)\\s+->\\s+(p2pedge[\\w.]*)\\s");

    static Map<String, Set<String>> packageGraph(Path classes) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("jdeps is not in this JDK"));
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", classes.toString());
        assertEquals(0, rc, out.toString());
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find()) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>());
                graph.computeIfAbsent(m.group(2), k -> new TreeSet<>());
                if (!m.group(1).equals(m.group(2))) {
                    graph.get(m.group(1)).add(m.group(2));
                }
            }
        }
        return graph;
    }

    /** Tarjan's strongly connected components with more than one member: each one is a package cycle. */
    static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new HashSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String start : graph.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, graph, index, low, stack, onStack, out, next);
            }
        }
        return out;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                                Deque<String> stack, Set<String> onStack, List<Set<String>> out, int[] next) {
        index.put(v, next[0]);
        low.put(v, next[0]);
        next[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, out, next);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                out.add(component);
            }
        }
    }

    @Test
    void theCycleFinderFindsCycles() {
        Map<String, Set<String>> graph = Map.of(
                "a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a", "d"), "d", Set.of(), "e", Set.of("d"));
        assertEquals(List.of(new TreeSet<>(List.of("a", "b", "c"))), cycles(graph));
        assertEquals(List.of(), cycles(Map.of("a", Set.of("b"), "b", Set.of())));
    }

    /** The edge's package graph, read once (jdeps takes seconds) for both checks. */
    private static Map<String, Set<String>> graph;

    @BeforeAll
    static void readGraph() {
        Path classes = Path.of("target/classes");
        assertTrue(Files.isDirectory(classes.resolve("p2pedge")), "compiled classes in " + classes.toAbsolutePath());
        graph = packageGraph(classes);
        assertTrue(graph.size() > 10, "jdeps saw the edge's packages: " + graph.keySet());
    }

    @Test
    void noPackageCycle() {
        assertEquals(List.of(), cycles(graph), "package cycles (each set depends on itself); the graph: " + graph);
    }

    @Test
    void leavesDependOnNoOtherPackageOfTheEdge() {
        for (String leaf : LEAVES) {
            assertTrue(graph.containsKey(leaf), "no package " + leaf + " in " + graph.keySet());
            assertEquals(Set.of(), graph.get(leaf), leaf + " is a leaf");
        }
        LOW_LAYERS.forEach((layer, allowed) -> {
            assertTrue(graph.containsKey(layer), "no package " + layer + " in " + graph.keySet());
            Set<String> beyond = new TreeSet<>(graph.get(layer));
            beyond.removeAll(allowed);
            assertEquals(Set.of(), beyond, layer + " may use only " + allowed);
        });
    }
}
