package p2pedge.testing;

/** How tests and benches start an edge's JVM as bin/p2p-edge and the container do. */
public final class EdgeJvm {

    /** The edge's own JVM options, a java argument file (relative to the project's root, where tests run). */
    public static final String OPTIONS = "@conf/jvm.options";

    private EdgeJvm() {
    }
}
