package p2pedge.cluster;

import org.junit.jupiter.api.Test;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostHealth;
import p2pedge.p2p.NatMapping;
import p2pedge.p2p.Reachability;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host map's value format: every field back as written, and malformed input refused before it allocates. */
class HostEntrySerializerTest {

    static HostEntry fullEntry() {
        Map<Long, String> clients = new LinkedHashMap<>();
        clients.put(30L, "edge-b");
        clients.put(20L, "edge-c"); // insertion order, not key order: a host that shrinks drops its newest
        HostHealth health = HostHealth.NEW.offered(80).offered(120).hostFailed().reportedKbps(2_400)
                .reported(new HostHealth.RelayReport("198.51.100.7", true, 1_700_000_000_000L))
                .reported(new HostHealth.RelayReport("203.0.113.9", false, 1_700_000_001_000L));
        return new HostEntry(10L, "edge-a", "app/stream", "chrome", 3, clients, health,
                new Reachability("192.0.2.1", NatMapping.ENDPOINT_DEPENDENT), 1_699_999_999_000L);
    }

    @Test
    void everyFieldComesBack() throws IOException {
        HostEntry entry = fullEntry();
        HostEntry back = roundTrip(entry);
        assertEquals(entry, back);
        assertEquals(List.of(30L, 20L), List.copyOf(back.clients().keySet()), "clients in their order");
        HostEntry unknowns = new HostEntry(11L, "edge-a", "app/stream", "other", 0, Map.of(), HostHealth.NEW,
                Reachability.unmeasured(null), 0);
        assertEquals(unknowns, roundTrip(unknowns), "an unknown address");
        HostEntry noReachability = new HostEntry(12L, "edge-a", "app/stream", "other", 2, Map.of(), HostHealth.NEW, null, 0);
        assertEquals(noReachability, roundTrip(noReachability));
    }

    @Test
    void malformedEntriesAreRefused() throws IOException {
        byte[] bytes = bytes(fullEntry());
        byte[] otherVersion = bytes.clone();
        otherVersion[0] = (byte) (HostEntrySerializer.VERSION + 1);
        assertTrue(assertThrows(IOException.class, () -> read(otherVersion)).getMessage().contains("version"));

        // The client count sits after the version, the host id, three strings and the capacity.
        HostEntry entry = fullEntry();
        int at = 1 + 8 + text(entry.edgeId()) + text(entry.stream()) + text(entry.family()) + 4;
        byte[] tooMany = bytes.clone();
        ByteBuffer.wrap(tooMany).putInt(at, Integer.MAX_VALUE);
        assertTrue(assertThrows(IOException.class, () -> read(tooMany)).getMessage().contains("clients"));
        byte[] negative = bytes.clone();
        ByteBuffer.wrap(negative).putInt(at, -1);
        assertThrows(IOException.class, () -> read(negative));

        byte[] badMapping = bytes.clone();
        badMapping[bytes.length - 8 - 1] = 42; // the mapping's byte, just before registeredAtMillis
        assertTrue(assertThrows(IOException.class, () -> read(badMapping)).getMessage().contains("NAT mapping"));

        assertThrows(IOException.class, () -> read(java.util.Arrays.copyOf(bytes, bytes.length / 2)), "truncated");
    }

    @Test
    void anEntryIsAFractionOfItsJavaSerializedSize() throws IOException {
        ByteArrayOutputStream java = new ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(java)) {
            out.writeObject(fullEntry());
        }
        int ours = bytes(fullEntry()).length;
        assertTrue(ours * 4 < java.size(), ours + " bytes against Java serialization's " + java.size());
    }

    private static int text(String s) {
        return 1 + 2 + s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    private static HostEntry roundTrip(HostEntry entry) throws IOException {
        return read(bytes(entry));
    }

    private static byte[] bytes(HostEntry entry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HostEntrySerializer.write(new DataOutputStream(out), entry);
        return out.toByteArray();
    }

    private static HostEntry read(byte[] bytes) throws IOException {
        return HostEntrySerializer.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
