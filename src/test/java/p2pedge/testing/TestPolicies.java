package p2pedge.testing;

import p2pedge.p2p.ClassificationPolicy;
import p2pedge.p2p.HostReputation;
import p2pedge.p2p.MeasuredPolicy;
import p2pedge.p2p.OmePolicy;
import p2pedge.p2p.PairOutcomes;
import p2pedge.p2p.Placement;
import p2pedge.p2p.PeerProfile;

/**
 * Both classification policies for pure P2P tests. The measured policy gets the profiles Yauaa gives these two
 * User-Agents (see ClassificationPolicyTest) without building its analyzer (seconds): its standing and score are
 * the real ones.
 */
public enum TestPolicies {
    OME, MEASURED;

    /** A player that may host under both policies. */
    public static final String DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36";
    /** A player that may only be a client: of a Safari host (ome), of an AppleWebKit host (measured). */
    public static final String PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
            + "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

    public ClassificationPolicy policy(HostReputation reputation) {
        return switch (this) {
            case OME -> new OmePolicy(reputation);
            case MEASURED -> new MeasuredPolicy(TestPolicies::measuredProfile, reputation);
        };
    }

    /** Pair learning that stops a kind after a few failed relays (window 10, 4 relays, 50 %, 10 minutes). */
    public static final PairOutcomes.Rules LEARNING = new PairOutcomes.Rules(10, 4, 50, 600_000);

    /** Placement settings of one edge that pairs only what is predicted to connect. */
    public static Placement.Settings settings(String edgeId, boolean p2pOn, int maxClientsPerHost) {
        return new Placement.Settings(edgeId, p2pOn, maxClientsPerHost, false, false, LEARNING, null, null);
    }

    /** Whether hosts are registered only once their media is up (else when they are offered the stream). */
    public boolean waitsForMedia() {
        return this == MEASURED;
    }

    private static PeerProfile measuredProfile(String userAgent) {
        if (DESKTOP.equals(userAgent)) {
            return new PeerProfile("Blink", true, "Chrome (Blink) on Windows NT, Desktop");
        }
        if (PHONE.equals(userAgent)) {
            return new PeerProfile("AppleWebKit", false, "Safari (AppleWebKit) on iOS, Phone");
        }
        return new PeerProfile(null, false, "unknown");
    }
}
