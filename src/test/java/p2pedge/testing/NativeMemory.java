package p2pedge.testing;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.ObjectName;

/**
 * This JVM's memory as the kernel sees it, for leak tests and the native-memory bench: resident memory outside
 * the Java heap, and how many glibc malloc arenas the process has (each thread that mallocs may get its own,
 * up to 8 per core unless MALLOC_ARENA_MAX bounds them; freed memory stays resident in them).
 */
public final class NativeMemory {

    /** glibc's HEAP_MAX_SIZE on 64-bit: each non-main arena reserves heaps of exactly this size, this aligned. */
    private static final long ARENA_HEAP = 64L << 20;
    private static final Pattern MAPPING = Pattern.compile("([0-9a-f]+)-[0-9a-f]+ ");
    private static final Pattern HEAP_RANGE = Pattern.compile("\\[0x([0-9a-f]+), 0x([0-9a-f]+)\\)");

    private NativeMemory() {
    }

    /** Heap in use after a few collections (so Cleaners of native state have run), in MB. */
    public static long usedHeapMb() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime runtime = Runtime.getRuntime();
        return (runtime.totalMemory() - runtime.freeMemory()) >> 20;
    }

    /**
     * Resident memory outside the Java heap, after a collection: the process's RSS minus the resident part of the
     * heap's address range, in MB. (RSS minus the committed heap would count heap pages first touched later, as
     * the collector works through a committed but untouched heap, as native growth: tens of MB in a minute.)
     */
    public static long outsideHeapMb() throws Exception {
        usedHeapMb();
        Thread.sleep(200);
        return (residentKb(0, Long.MAX_VALUE) - heapResidentKb()) >> 10;
    }

    /** The old measure, RSS minus committed heap, in MB: shown beside {@link #outsideHeapMb} for comparison. */
    public static long rssMinusCommittedHeapMb() throws Exception {
        long committedHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted() >> 20;
        return (residentKb(0, Long.MAX_VALUE) >> 10) - committedHeap;
    }

    /** Resident kB of the Java heap's reserved range, as GC.heap_info states it ("[0x..., 0x...)"). */
    public static long heapResidentKb() throws Exception {
        Object info = ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcHeapInfo", new Object[]{null}, new String[]{String[].class.getName()});
        Matcher range = HEAP_RANGE.matcher(info.toString());
        if (!range.find()) {
            throw new IllegalStateException("no heap range in " + info);
        }
        return residentKb(Long.parseUnsignedLong(range.group(1), 16), Long.parseUnsignedLong(range.group(2), 16));
    }

    /** Resident kB of the mappings that lie within [from, to), from /proc/self/smaps. */
    private static long residentKb(long from, long to) throws Exception {
        long total = 0;
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            Matcher mapping = MAPPING.matcher(line);
            if (mapping.lookingAt()) {
                long start = Long.parseUnsignedLong(mapping.group(1), 16);
                inside = Long.compareUnsigned(start, from) >= 0 && Long.compareUnsigned(start, to) < 0;
            } else if (line.startsWith("Rss:") && inside) {
                total += Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return total;
    }

    /**
     * Heaps of the malloc arenas besides the main one: anonymous 64 MB-aligned reservations of exactly 64 MB (a
     * read-write part, then the reserved rest), as glibc lays them out. Each such arena has one, and one more each
     * time it outgrows them; a diagnostic count.
     */
    public static int mallocArenas() throws Exception {
        List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
        int arenas = 0;
        for (int i = 0; i < maps.size(); i++) {
            String[] fields = maps.get(i).trim().split("\\s+");
            if (fields.length != 5 || !fields[1].startsWith("rw")) {
                continue; // not an anonymous read-write mapping
            }
            String[] range = fields[0].split("-");
            long start = Long.parseUnsignedLong(range[0], 16);
            long end = Long.parseUnsignedLong(range[1], 16);
            if (start % ARENA_HEAP != 0) {
                continue;
            }
            if (end - start < ARENA_HEAP && i + 1 < maps.size()) {
                String[] next = maps.get(i + 1).trim().split("\\s+");
                if (next.length == 5 && next[1].startsWith("---") && next[0].startsWith(range[1] + "-")) {
                    end = Long.parseUnsignedLong(next[0].split("-")[1], 16);
                }
            }
            if (end - start == ARENA_HEAP) {
                arenas++;
            }
        }
        return arenas;
    }

    /**
     * The JVM's Native Memory Tracking (jcmd VM.native_memory), when the JVM runs with
     * -XX:NativeMemoryTracking=summary: {@code "baseline"}, then {@code "summary.diff"} for what each JVM area
     * (code, GC, threads, direct buffers under "Other", ...) committed since. Memory libraries malloc themselves
     * (libwebrtc, OpenSSL) is not tracked: RSS growth beyond the diff is theirs or the allocator's.
     */
    public static String nativeMemoryTracking(String command) throws Exception {
        return ManagementFactory.getPlatformMBeanServer().invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "vmNativeMemory", new Object[]{new String[]{command}}, new String[]{String[].class.getName()}).toString();
    }
}
