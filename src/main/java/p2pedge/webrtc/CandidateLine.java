package p2pedge.webrtc;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * One ICE candidate attribute (RFC 8839 section 5.1), {@code candidate:foundation component transport priority
 * address port typ type [extensions]}: the one place the edge writes its own and reads others'. The address is
 * an IPv4 or IPv6 literal (or an mDNS name, kept as written); extensions ({@code raddr}, {@code generation}...) are
 * kept verbatim so a candidate read and written again is unchanged.
 */
public record CandidateLine(String foundation, int component, String transport, long priority, String address, int port,
                            Type type, String extensions) {

    /** Candidate types with their RFC 8445 type preferences (section 5.1.2.2). */
    public enum Type {
        HOST(126), PRFLX(110), SRFLX(100), RELAY(0);

        private final int preference;

        Type(int preference) {
            this.preference = preference;
        }

        String attribute() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The value of an extension attribute ({@code tcptype active}, {@code raddr ...}), or null when absent. */
    public String extension(String name) {
        String[] fields = extensions.isEmpty() ? new String[0] : extensions.split(" ");
        for (int i = 0; i + 1 < fields.length; i += 2) {
            if (fields[i].equalsIgnoreCase(name)) {
                return fields[i + 1];
            }
        }
        return null;
    }

    /** The most preferred local address (one per family and type here). */
    private static final int LOCAL_PREFERENCE = 65_535;

    /** A UDP candidate of component 1 (RTP and RTCP are muxed) at the RFC 8445 priority for its type. */
    public static CandidateLine udp(Type type, int foundation, String address, int port) {
        return new CandidateLine(Integer.toString(foundation), 1, "udp", priority(type, LOCAL_PREFERENCE), address, port, type, "");
    }

    /**
     * A passive ICE-TCP host candidate (RFC 6544): the peer connects to it. Its local preference is below every UDP
     * candidate's, so a peer that can reach the edge over UDP prefers that.
     */
    public static CandidateLine tcpPassive(int foundation, String address, int port) {
        int localPreference = (4 << 13) | 8191; // RFC 6544 section 4.2: passive host candidates' direction preference
        return new CandidateLine(Integer.toString(foundation), 1, "tcp", priority(Type.HOST, localPreference), address, port,
                Type.HOST, "tcptype passive");
    }

    /** RFC 8445 section 5.1.2.1, for component 1. */
    private static long priority(Type type, int localPreference) {
        return ((long) type.preference << 24) | ((long) localPreference << 8) | (256 - 1);
    }

    /** The attribute's value, without {@code a=}. */
    public String format() {
        return "candidate:" + foundation + " " + component + " " + transport + " " + priority + " " + address + " " + port
                + " typ " + type.attribute() + (extensions.isEmpty() ? "" : " " + extensions);
    }

    /** A candidate attribute, with or without {@code a=}; empty when it is not one (or end-of-candidates). */
    public static Optional<CandidateLine> parse(String line) {
        String value = line.startsWith("a=") ? line.substring(2) : line;
        String[] fields = value.trim().split(" +");
        if (fields.length < 8 || !fields[0].startsWith("candidate:") || fields[0].length() == 10 || !fields[6].equals("typ")) {
            return Optional.empty();
        }
        try {
            int component = Integer.parseInt(fields[1]);
            long priority = Long.parseLong(fields[3]);
            int port = Integer.parseInt(fields[5]);
            Type type = Type.valueOf(fields[7].toUpperCase(Locale.ROOT));
            if (port < 0 || port > 65_535 || priority < 0) {
                return Optional.empty();
            }
            return Optional.of(new CandidateLine(fields[0].substring(10), component, fields[2], priority, fields[4], port, type,
                    String.join(" ", Arrays.copyOfRange(fields, 8, fields.length))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public boolean udp() {
        return transport.equalsIgnoreCase("udp");
    }

    public boolean ipv6() {
        return address.contains(":");
    }

    /** The same candidate announced at another address (the edge's public or test address for a gathered one). */
    public CandidateLine at(String otherAddress) {
        return new CandidateLine(foundation, component, transport, priority, otherAddress, port, type, extensions);
    }

    /** Where to send checks to it (an IPv4/IPv6 literal is not looked up). */
    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }
}
