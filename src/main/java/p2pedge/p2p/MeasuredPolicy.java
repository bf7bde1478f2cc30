package p2pedge.p2p;

import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

import java.util.Set;

/**
 * The default policy. The User-Agent is parsed by Yauaa, families are browser engines (Chrome, Chromium Edge,
 * Opera and Brave relay to each other: all Blink), and a host's standing follows what its relays did: a host
 * whose relays keep failing takes no new clients, and among hosts with a free slot the one with the best
 * record and fastest relays is preferred. Hosts are registered only once their own edge connection carries
 * media, so no client is ever handed to a host that has nothing to relay yet. Its record is weighed by
 * {@link HostReputation}: what the edge measures, and client reports only from several distinct witnesses.
 */
public final class MeasuredPolicy implements ClassificationPolicy {

    private static final Set<String> DESKTOP = Set.of("Desktop");
    private static final Set<String> KNOWN_ENGINES = Set.of("Blink", "Gecko", "AppleWebKit", "WebKit");
    private static final String LEGACY_EDGE_ENGINE = "EdgeHTML";

    private final UserAgentAnalyzer analyzer;
    private final boolean allowLinuxHosts;
    private final HostReputation reputation;

    /** Building the analyzer takes seconds: call off the event loop. */
    public MeasuredPolicy(boolean allowLinuxHosts, HostReputation reputation) {
        this.analyzer = UserAgentAnalyzer.newBuilder()
                .hideMatcherLoadStats()
                // Pay the seconds of matcher setup at start, not on the first player's placement.
                .immediateInitialization()
                .dropTests()
                .withCache(10_000)
                .withField(UserAgent.DEVICE_CLASS)
                .withField(UserAgent.OPERATING_SYSTEM_NAME)
                .withField(UserAgent.AGENT_NAME)
                .withField(UserAgent.LAYOUT_ENGINE_NAME)
                .build();
        this.allowLinuxHosts = allowLinuxHosts;
        this.reputation = reputation;
    }

    @Override
    public String name() {
        return "measured";
    }

    @Override
    public PeerProfile profile(String userAgent) {
        UserAgent ua = analyzer.parse(userAgent == null ? "" : userAgent);
        String device = ua.getValue(UserAgent.DEVICE_CLASS);
        String os = ua.getValue(UserAgent.OPERATING_SYSTEM_NAME);
        String agent = ua.getValue(UserAgent.AGENT_NAME);
        String engine = ua.getValue(UserAgent.LAYOUT_ENGINE_NAME);
        boolean knownEngine = KNOWN_ENGINES.contains(engine);
        boolean mayHost = knownEngine
                && DESKTOP.contains(device)
                && (allowLinuxHosts || !os.startsWith("Linux"));
        String family = knownEngine ? engine : null; // legacy Edge (EdgeHTML), robots, garbage: no P2P
        String summary = agent + " (" + engine + ") on " + os + ", " + device;
        return new PeerProfile(family, mayHost && !LEGACY_EDGE_ENGINE.equals(engine), summary);
    }

    @Override
    public boolean registersHostOnOffer() {
        return false;
    }

    @Override
    public boolean acceptsClients(HostEntry host) {
        return host.freeSlots() > 0 && reputation.accepts(host.health());
    }

    @Override
    public double score(HostEntry host) {
        HostHealth h = host.health();
        // Share of witnesses that saw its relays work, minus a little for a host slow to offer (5 s cost 0.1):
        // the edge times that itself, where a relay's connect time would be the client's word.
        double success = reputation.successRate(h);
        double slowness = h.meanOfferMillis() < 0 ? 0 : Math.min(0.5, h.meanOfferMillis() / 50_000.0);
        // Hosts that report receiving little (stalling themselves) are a poor source: a host's word can only lower it.
        double starving = h.reportedKbps() >= 0 && h.reportedKbps() < 50 ? 0.5 : 0;
        return success - slowness - starving;
    }
}
