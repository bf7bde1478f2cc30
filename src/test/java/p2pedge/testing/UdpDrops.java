package p2pedge.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Datagrams the kernel dropped on this process's UDP sockets (their receive buffers were full), summed from the
 * "drops" column of {@code /proc/net/udp} and {@code udp6} for the sockets this process holds open. Tests in one JVM
 * with the edge and its viewers read it to tell a datagram lost on loopback from one the edge never sent. -1 where
 * the kernel does not say (not Linux).
 */
public final class UdpDrops {

    private UdpDrops() {
    }

    public static long ofThisProcess() {
        try {
            Set<String> inodes = new HashSet<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                fds.forEach(fd -> {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException gone) {
                        // closed while listed
                    }
                });
            }
            long drops = 0;
            for (String table : new String[]{"/proc/net/udp", "/proc/net/udp6"}) {
                java.util.List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] fields = line.trim().split("\\s+");
                    if (fields.length > 12 && inodes.contains(fields[9])) {
                        drops += Long.parseLong(fields[fields.length - 1]);
                    }
                }
            }
            return drops;
        } catch (IOException | RuntimeException unavailable) {
            return -1;
        }
    }
}
