package p2pedge.signalling;

import p2pedge.net.IpLiteral;
import p2pedge.webrtc.CandidateLine;
import p2pedge.webrtc.IceCandidate;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Which ICE candidates one player may hand another through the edge. A candidate tells the receiving browser
 * where to send STUN checks (UDP) or where to open a TCP connection, so a stranger's candidate can aim a host's
 * browser at its own machine (loopback), its LAN's routers and cloud metadata service (link-local, 169.254.169.254)
 * or a database port on its network. Dropped: loopback (unless allowed, for tests on one machine), link-local,
 * cloud metadata, unspecified, multicast and broadcast addresses, host names other than the random
 * {@code <uuid>.local} names browsers use (mDNS), and TCP candidates the receiver would connect to (passive,
 * simultaneous-open) on a well-known service port. Kept: private (home LAN) and public addresses, mDNS names,
 * srflx and relay candidates, TCP active candidates (nobody connects to those: their port is a placeholder).
 * Pure: no DNS lookup is ever made.
 */
public final class PeerCandidateFilter {

    /** Why a candidate was dropped; the label names it in metrics. */
    public enum Reason {
        LOOPBACK, LINK_LOCAL, METADATA, UNSPECIFIED, MULTICAST_BROADCAST, SERVICE_PORT, HOSTNAME, MALFORMED;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** An SDP with its rejected {@code a=candidate} lines removed, and why each went. */
    public record FilteredSdp(String sdp, List<Reason> dropped) {
    }

    /** Cloud instance metadata services: AWS/GCP/Azure/OpenStack (and AWS IPv6), ECS tasks, Alibaba. */
    private static final Set<String> METADATA = Set.of("169.254.169.254", "169.254.170.2", "fd00:ec2:0:0:0:0:0:254",
            "100.100.100.200");

    /**
     * Ports of services commonly reachable on a LAN or a developer's machine, besides all ports below 1024:
     * databases and caches, container and cluster APIs, message brokers, search, remote desktops, admin consoles.
     */
    private static final Set<Integer> SERVICE_PORTS = Set.of(
            1433, 1521, 2049, 2375, 2376, 2379, 2380, 3000, 3306, 3389, 4369, 5000, 5432, 5601, 5672, 5900, 5984,
            6379, 6443, 7001, 8000, 8080, 8081, 8443, 8500, 8888, 9000, 9042, 9090, 9092, 9200, 9300, 10250, 11211,
            15672, 27017, 27018);

    /** The random names browsers give host candidates to hide local addresses (RFC 8445 + mDNS ICE draft). */
    private static final Pattern MDNS = Pattern.compile("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\\.local");

    private final boolean allowLoopback;

    /** @param allowLoopback keep loopback candidates (peers on one machine, tests); off in production */
    public PeerCandidateFilter(boolean allowLoopback) {
        this.allowLoopback = allowLoopback;
    }

    /** Why {@code candidate} (an SDP candidate attribute, with or without {@code a=}) must not be relayed, or null. */
    public Reason check(String candidate) {
        Optional<CandidateLine> parsed = CandidateLine.parse(candidate);
        if (parsed.isEmpty()) {
            return Reason.MALFORMED;
        }
        CandidateLine line = parsed.get();
        Reason byAddress = checkAddress(line.address());
        if (byAddress != null) {
            return byAddress;
        }
        if (line.port() == 0) {
            return Reason.UNSPECIFIED;
        }
        boolean tcp = line.transport().equalsIgnoreCase("tcp");
        if (tcp && !"active".equalsIgnoreCase(line.extension("tcptype")) && (line.port() < 1024 || SERVICE_PORTS.contains(line.port()))) {
            return Reason.SERVICE_PORT; // the receiver would open a connection to it
        }
        return null;
    }

    /** The candidates that may be relayed; end-of-candidates markers pass; each drop is reported. */
    public List<IceCandidate> keep(List<IceCandidate> candidates, Consumer<Reason> dropped) {
        List<IceCandidate> kept = new ArrayList<>(candidates.size());
        for (IceCandidate c : candidates) {
            Reason reason = c.endOfCandidates() ? null : check(c.candidate());
            if (reason == null) {
                kept.add(c);
            } else {
                dropped.accept(reason);
            }
        }
        return kept;
    }

    /** {@code sdp} without the {@code a=candidate} lines that must not be relayed; every other line untouched. */
    public FilteredSdp filterSdp(String sdp) {
        if (sdp == null || !sdp.contains("a=candidate:")) {
            return new FilteredSdp(sdp, List.of());
        }
        List<Reason> dropped = new ArrayList<>();
        StringBuilder out = new StringBuilder(sdp.length());
        int start = 0;
        while (start < sdp.length()) {
            int newline = sdp.indexOf('\n', start);
            int end = newline < 0 ? sdp.length() : newline + 1;
            String line = sdp.substring(start, end);
            Reason reason = line.startsWith("a=candidate:") ? check(line.strip()) : null;
            if (reason == null) {
                out.append(line);
            } else {
                dropped.add(reason);
            }
            start = end;
        }
        return new FilteredSdp(out.toString(), dropped);
    }

    private Reason checkAddress(String address) {
        if (MDNS.matcher(address).matches()) {
            return null;
        }
        InetAddress ip = IpLiteral.parse(address);
        if (ip == null) {
            // A name the receiving browser would resolve itself: a stranger's choice of target (printer.local,
            // metadata.google.internal, a rebinding domain).
            return Reason.HOSTNAME;
        }
        return checkIp(ip);
    }

    private Reason checkIp(InetAddress ip) {
        if (ip instanceof Inet6Address) {
            InetAddress embedded = embeddedIpv4((Inet6Address) ip);
            if (embedded != null) {
                return checkIp(embedded);
            }
        }
        if (METADATA.contains(ip.getHostAddress())) {
            return Reason.METADATA;
        }
        byte[] b = ip.getAddress();
        if (ip.isAnyLocalAddress() || (ip instanceof Inet4Address && b[0] == 0)) {
            return Reason.UNSPECIFIED;
        }
        if (ip.isLoopbackAddress()) {
            return allowLoopback ? null : Reason.LOOPBACK;
        }
        if (ip.isLinkLocalAddress()) {
            return Reason.LINK_LOCAL;
        }
        // 224/4 and ff00::/8 multicast; 240/4 reserved, its last address the limited broadcast.
        if (ip.isMulticastAddress() || (ip instanceof Inet4Address && (b[0] & 0xf0) == 0xf0)) {
            return Reason.MULTICAST_BROADCAST;
        }
        return null;
    }

    /**
     * The IPv4 address inside an IPv4-compatible ({@code ::a.b.c.d}) or NAT64 ({@code 64:ff9b::a.b.c.d}) IPv6
     * address, so they are judged like it; null for others (IPv4-mapped ones already parse as IPv4).
     */
    private static InetAddress embeddedIpv4(Inet6Address ip) {
        byte[] b = ip.getAddress();
        boolean compatible = zero(b, 0, 12) && !(zero(b, 12, 15) && (b[15] & 0xfe) == 0); // but not :: or ::1
        boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b && zero(b, 4, 12);
        if (!compatible && !nat64) {
            return null;
        }
        try {
            return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean zero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
