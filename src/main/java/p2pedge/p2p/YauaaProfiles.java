package p2pedge.p2p;

import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

import java.util.Set;
import java.util.function.Function;

/**
 * The measured policy's reading of a User-Agent, by Yauaa: families are browser engines (Chrome, Chromium Edge,
 * Opera and Brave relay to each other: all Blink); hosts are desktops with a known engine (Linux only when
 * allowed), never legacy Edge.
 */
public final class YauaaProfiles implements Function<String, PeerProfile> {

    private static final Set<String> DESKTOP = Set.of("Desktop");
    private static final Set<String> KNOWN_ENGINES = Set.of("Blink", "Gecko", "AppleWebKit", "WebKit");
    private static final String LEGACY_EDGE_ENGINE = "EdgeHTML";

    private final UserAgentAnalyzer analyzer;
    private final boolean allowLinuxHosts;

    /** Building the analyzer takes seconds: call off the event loop. */
    public YauaaProfiles(boolean allowLinuxHosts) {
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
    }

    @Override
    public PeerProfile apply(String userAgent) {
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
}
