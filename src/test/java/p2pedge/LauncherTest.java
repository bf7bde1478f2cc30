package p2pedge;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's run command on a fresh machine: {@code bin/p2p-edge} sees whether libwebrtc's shared libraries are
 * there before it starts the edge, and an edge that cannot load libwebrtc exits with advice instead of hanging.
 * The script runs with stand-ins for {@code ldconfig}, {@code id} and {@code java} first in its PATH.
 */
class LauncherTest {

    private static final String ALL_LIBRARIES = String.join("\n", List.of("libpulse.so.0", "libX11.so.6", "libXfixes.so.3",
            "libXrandr.so.2", "libXcomposite.so.1", "libdbus-1.so.3", "libudev.so.1").stream()
            .map(lib -> "\t" + lib + " (libc6,x86-64) => /lib/x86_64-linux-gnu/" + lib).toList());

    @TempDir
    Path dir;

    @Test
    void withTheLibrariesThereTheEdgeRunsWithItsArgumentsAndTwoMallocArenas() throws Exception {
        Result run = launch(ALL_LIBRARIES, 1000);
        assertEquals(0, run.exit(), run.output());
        assertEquals("MALLOC_ARENA_MAX=2 @" + Path.of("conf/jvm.options").toAbsolutePath()
                        + " -jar " + Path.of("target/p2p-edge.jar").toAbsolutePath() + " --an-argument",
                Files.readString(dir.resolve("java-ran")).strip());
    }

    @Test
    void aMissingLibraryIsNamedAndTheEdgeIsNotStartedWhenItCannotBeInstalled() throws Exception {
        Result run = launch(ALL_LIBRARIES.replace("libpulse.so.0", "libpulse-simple.so.0"), 1000);
        assertNotEquals(0, run.exit(), run.output());
        assertTrue(run.output().contains("missing the shared libraries libwebrtc needs: install them (sudo apt-get install -y"
                + " libpulse0 libx11-6 libxfixes3 libxrandr2 libxcomposite1 libdbus-1-3 libudev1)"), run.output());
        assertFalse(Files.exists(dir.resolve("java-ran")), "java is not run without libwebrtc's libraries");
    }

    /**
     * A real edge process in a mount namespace where libpulse is an empty file: it says what is missing and exits 1
     * within seconds (an Error from libwebrtc's loader used to kill only the main thread, leaving a running JVM).
     */
    @Test
    @Tag("e2e")
    void anEdgeThatCannotLoadLibwebrtcExitsWithAdvice() throws Exception {
        Path libpulse = Path.of("/lib/x86_64-linux-gnu/libpulse.so.0").toRealPath();
        Assumptions.assumeTrue(new ProcessBuilder("unshare", "-m", "true").start().waitFor() == 0,
                "needs root for a mount namespace (CI runs as root)");
        Path log = dir.resolve("edge.log");
        Process edge = new ProcessBuilder("unshare", "-m", "sh", "-c", "mount --bind /dev/null " + libpulse + " && exec java"
                + " -cp " + System.getProperty("java.class.path") + " -Dsignalling.port=0 -Dmetrics.port=0"
                + " -Dmedia.forwarder.port=0 -Dmedia.forwarder.stun.port=0 -Dmetrics.adminTokenFile=target/test-admin-token"
                + " p2pedge.Main")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            assertTrue(edge.waitFor(60, TimeUnit.SECONDS), "the edge exits: " + Files.readString(log));
            String output = Files.readString(log);
            assertEquals(1, edge.exitValue(), output);
            assertTrue(output.contains("libwebrtc (webrtc-java's native part) could not be loaded"), output);
            assertTrue(output.contains("bin/webrtc-libraries.sh"), output);
        } finally {
            edge.destroyForcibly();
        }
    }

    private record Result(int exit, String output) {
    }

    private Result launch(String linkerCache, int uid) throws IOException, InterruptedException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        script(bin.resolve("ldconfig"), "cat <<'EOF'\n" + linkerCache + "\nEOF");
        script(bin.resolve("id"), "echo " + uid);
        script(bin.resolve("java"), "echo \"MALLOC_ARENA_MAX=$MALLOC_ARENA_MAX $*\" > " + dir.resolve("java-ran"));
        ProcessBuilder builder = new ProcessBuilder("bin/p2p-edge", "--an-argument").redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.remove("MALLOC_ARENA_MAX");
        env.put("PATH", bin + ":" + env.get("PATH"));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the launcher finishes");
        return new Result(process.exitValue(), output);
    }

    private static void script(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }
}
