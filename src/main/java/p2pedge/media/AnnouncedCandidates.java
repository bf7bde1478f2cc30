package p2pedge.media;

import p2pedge.webrtc.IceCandidate;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the candidates libwebrtc gathered into the ones the edge announces. The edge's ports are bound to
 * the wildcard address, so each gathered host candidate can be announced at any configured address of the
 * same family (a public IP behind 1:1 NAT, or 127.0.0.1 in tests): OvenMediaEngine's IceCandidates setting.
 */
final class AnnouncedCandidates {

    private final List<String> addresses;
    private final boolean ipv6;

    AnnouncedCandidates(List<String> addresses, boolean ipv6) {
        this.addresses = List.copyOf(addresses);
        this.ipv6 = ipv6;
    }

    List<IceCandidate> announce(List<IceCandidate> gathered) {
        List<IceCandidate> out = new ArrayList<>();
        for (IceCandidate candidate : gathered) {
            String[] fields = candidate.candidate().split(" ");
            if (fields.length < 8 || !"host".equals(fields[7])) {
                continue;
            }
            boolean gatheredV6 = fields[4].contains(":");
            // libwebrtc gathers IPv6 even when asked not to.
            if (gatheredV6 && !ipv6) {
                continue;
            }
            if (addresses.isEmpty()) {
                out.add(candidate);
                continue;
            }
            for (String address : addresses) {
                if (address.contains(":") == gatheredV6) {
                    fields[4] = address;
                    out.add(new IceCandidate(String.join(" ", fields), candidate.sdpMLineIndex(), candidate.sdpMid(),
                            candidate.usernameFragment()));
                }
            }
        }
        return out;
    }
}
