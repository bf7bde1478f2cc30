package p2pedge.cluster;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import p2pedge.p2p.HostEntry;
import p2pedge.p2p.HostHealth;
import p2pedge.p2p.NatMapping;
import p2pedge.p2p.Reachability;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link HostEntry} in the cluster's host map, field by field. Every slot taken or given back and every health
 * change rewrites a host's entry, and each other edge reads it from the map's event: with Java serialization an
 * entry was about 1,150 bytes and took tens of microseconds to read back, through ObjectInputStream, on data another
 * member sent. This format is versioned and bounded: what a member sends is read into the edge's own records only,
 * and a count beyond what an entry can hold is refused before anything is allocated for it.
 */
public final class HostEntrySerializer implements StreamSerializer<HostEntry> {

    /** Hazelcast's id for this serializer (positive, unique among the cluster's custom serializers). */
    public static final int TYPE_ID = 1701;
    static final int VERSION = 1;
    /** Far more clients than a host can have (p2p.maxClientPeersPerHostPeer is at most 64): a larger count is malformed. */
    static final int MAX_CLIENTS = 1_024;

    private static final NatMapping[] MAPPINGS = NatMapping.values();

    @Override
    public int getTypeId() {
        return TYPE_ID;
    }

    @Override
    public void write(ObjectDataOutput out, HostEntry entry) throws IOException {
        write((DataOutput) out, entry);
    }

    @Override
    public HostEntry read(ObjectDataInput in) throws IOException {
        return read((DataInput) in);
    }

    static void write(DataOutput out, HostEntry entry) throws IOException {
        out.writeByte(VERSION);
        out.writeLong(entry.hostId());
        writeText(out, entry.edgeId());
        writeText(out, entry.stream());
        writeText(out, entry.family());
        out.writeInt(entry.capacity());
        out.writeInt(entry.clients().size());
        for (Map.Entry<Long, String> client : entry.clients().entrySet()) {
            out.writeLong(client.getKey());
            writeText(out, client.getValue());
        }
        HostHealth health = entry.health();
        out.writeInt(health.offers());
        out.writeLong(health.totalOfferMillis());
        out.writeInt(health.hostFailures());
        out.writeInt(health.hostFailureStreak());
        out.writeInt(health.reports().size());
        for (HostHealth.RelayReport report : health.reports()) {
            writeText(out, report.witness());
            out.writeBoolean(report.connected());
            out.writeLong(report.atMillis());
        }
        out.writeInt(health.reportedKbps());
        Reachability reachability = entry.reachability();
        out.writeBoolean(reachability != null);
        if (reachability != null) {
            writeText(out, reachability.publicAddress());
            out.writeByte(reachability.mapping().ordinal());
        }
        out.writeLong(entry.registeredAtMillis());
    }

    static HostEntry read(DataInput in) throws IOException {
        int version = in.readByte();
        if (version != VERSION) {
            throw new IOException("host entry of format version " + version + ", this edge reads " + VERSION
                    + " (edges of different versions in one cluster?)");
        }
        long hostId = in.readLong();
        String edgeId = readText(in);
        String stream = readText(in);
        String family = readText(in);
        int capacity = in.readInt();
        int clientCount = count(in, MAX_CLIENTS, "clients");
        Map<Long, String> clients = new LinkedHashMap<>();
        for (int i = 0; i < clientCount; i++) {
            clients.put(in.readLong(), readText(in));
        }
        int offers = in.readInt();
        long totalOfferMillis = in.readLong();
        int hostFailures = in.readInt();
        int hostFailureStreak = in.readInt();
        int reportCount = count(in, HostHealth.MAX_WITNESSES, "relay reports");
        List<HostHealth.RelayReport> reports = new ArrayList<>(reportCount);
        for (int i = 0; i < reportCount; i++) {
            reports.add(new HostHealth.RelayReport(readText(in), in.readBoolean(), in.readLong()));
        }
        HostHealth health = new HostHealth(offers, totalOfferMillis, hostFailures, hostFailureStreak, reports, in.readInt());
        Reachability reachability = null;
        if (in.readBoolean()) {
            String address = readText(in);
            int mapping = in.readByte();
            if (mapping < 0 || mapping >= MAPPINGS.length) {
                throw new IOException("host entry with NAT mapping " + mapping);
            }
            reachability = new Reachability(address, MAPPINGS[mapping]);
        }
        return new HostEntry(hostId, edgeId, stream, family, capacity, clients, health, reachability, in.readLong());
    }

    private static int count(DataInput in, int max, String what) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > max) {
            throw new IOException("host entry with " + count + " " + what + " (at most " + max + ")");
        }
        return count;
    }

    /** A string that may be null (an unknown address). */
    private static void writeText(DataOutput out, String text) throws IOException {
        out.writeBoolean(text != null);
        if (text != null) {
            out.writeUTF(text);
        }
    }

    private static String readText(DataInput in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
