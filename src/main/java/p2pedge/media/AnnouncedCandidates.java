package p2pedge.media;

import p2pedge.webrtc.CandidateLine;
import p2pedge.webrtc.IceCandidate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

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
            Optional<CandidateLine> parsed = CandidateLine.parse(candidate.candidate());
            if (parsed.isEmpty() || parsed.get().type() != CandidateLine.Type.HOST) {
                continue;
            }
            boolean gatheredV6 = parsed.get().ipv6();
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
                    out.add(new IceCandidate(parsed.get().at(address).format(), candidate.sdpMLineIndex(), candidate.sdpMid(),
                            candidate.usernameFragment()));
                }
            }
        }
        return out;
    }
}
