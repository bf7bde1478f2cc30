package p2pedge.p2p;

/**
 * OvenMediaEngine's classification, reproduced: substring parsing of the User-Agent, hosts only on non-mobile,
 * non-Linux devices with a known browser that is not legacy Edge, clients only onto hosts of the same browser
 * type, hosts registered the moment they are offered the stream. Its quirks are kept on purpose (Firefox is
 * looked for as "FireFox", so it never matches; Chromium Edge, Opera and Brave count as Chrome; Android tablets
 * count as Linux). The edge's relay timeouts still apply: a host that failed stops getting clients.
 */
public final class OmePolicy implements ClassificationPolicy {

    private final HostReputation reputation;

    /** @param reputation how reports are weighed; this policy gives up on a host after one failure of its own */
    public OmePolicy(HostReputation reputation) {
        this.reputation = reputation.withMaxHostFailures(1);
    }

    @Override
    public String name() {
        return "ome";
    }

    @Override
    public PeerProfile profile(String userAgent) {
        String ua = userAgent == null ? "" : userAgent;
        String os;
        if (ua.contains("Mobile")) {
            os = ua.contains("Android") ? "Android" : ua.contains("iPhone") ? "iOS" : "OtherMobile";
        } else if (ua.contains("Windows")) {
            os = "Windows";
        } else if (ua.contains("Macintosh")) {
            os = "macOS";
        } else if (ua.contains("Linux")) {
            os = "Linux";
        } else {
            os = "Other";
        }
        String browser;
        if (ua.contains("Chrome")) {
            browser = "Chrome";
        } else if (ua.contains("Safari")) {
            browser = "Safari";
        } else if (ua.contains("FireFox") && !ua.contains("SeaMonkey")) {
            browser = "FireFox";
        } else if (ua.contains("Edge")) {
            browser = "Edge";
        } else {
            browser = "Other";
        }
        boolean mobile = os.equals("Android") || os.equals("iOS") || os.equals("OtherMobile");
        boolean mayHost = !mobile && !os.equals("Linux") && !browser.equals("Other") && !browser.equals("Edge");
        // An unknown browser is compatible with nothing.
        return new PeerProfile(browser.equals("Other") ? null : browser, mayHost, browser + " on " + os);
    }

    @Override
    public boolean registersHostOnOffer() {
        return true;
    }

    @Override
    public boolean acceptsClients(HostEntry host) {
        // One failure of the host's own is enough: most OvenPlayer "hosts" in the field never answer
        // request_offer_p2p at all. Clients' reports count only from several witnesses, as for any policy.
        return host.freeSlots() > 0 && reputation.accepts(host.health());
    }

    @Override
    public double score(HostEntry host) {
        return 0; // the reference takes the first compatible host
    }
}
