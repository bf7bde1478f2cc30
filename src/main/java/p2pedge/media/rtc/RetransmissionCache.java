package p2pedge.media.rtc;

/**
 * The last packets sent on one RTP stream, by sequence number, so a NACK (RFC 4585 generic NACK) is answered
 * from the edge instead of asking the source. A fixed ring: no growth, old packets simply overwritten.
 * Confined to the thread that forwards the source.
 */
public final class RetransmissionCache {

    private final byte[][] packets;
    private final int[] sequences;

    public RetransmissionCache(int capacity) {
        if (Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two");
        }
        packets = new byte[capacity][];
        sequences = new int[capacity];
    }

    public void put(byte[] packet) {
        int sequence = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
        int slot = sequence & (packets.length - 1);
        packets[slot] = packet;
        sequences[slot] = sequence;
    }

    /** The packet with that sequence number, if it is still in the ring. */
    public byte[] get(int sequence) {
        int slot = sequence & (packets.length - 1);
        return packets[slot] != null && sequences[slot] == sequence ? packets[slot] : null;
    }
}
