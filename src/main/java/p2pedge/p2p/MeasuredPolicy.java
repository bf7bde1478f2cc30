package p2pedge.p2p;

import java.util.function.Function;

/**
 * The default policy. Players are profiled from their User-Agent ({@link YauaaProfiles} in production), and a
 * host's standing follows what its relays did: a host whose relays keep failing takes no new clients, and among
 * hosts with a free slot the one with the best record and fastest relays, then the one watching longest, is
 * preferred. Hosts are registered only once their own edge connection carries media, so no client is ever handed to
 * a host that has nothing to relay yet. Its record is weighed by {@link HostReputation}: what the edge measures, and
 * client reports only from several distinct witnesses. Apart from the profiles, pure.
 */
public final class MeasuredPolicy implements ClassificationPolicy {

    /** A host's age stops counting in its favour here. */
    static final long AGE_FOR_FULL_BONUS_MILLIS = 10 * 60_000;

    private final Function<String, PeerProfile> profiles;
    private final HostReputation reputation;

    /** With Yauaa's profiles: building its analyzer takes seconds, call off the event loop. */
    public MeasuredPolicy(boolean allowLinuxHosts, HostReputation reputation) {
        this(new YauaaProfiles(allowLinuxHosts), reputation);
    }

    /** @param profiles what a User-Agent says of a player */
    public MeasuredPolicy(Function<String, PeerProfile> profiles, HostReputation reputation) {
        this.profiles = profiles;
        this.reputation = reputation;
    }

    @Override
    public String name() {
        return "measured";
    }

    @Override
    public PeerProfile profile(String userAgent) {
        return profiles.apply(userAgent);
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
        // Viewing times are heavy-tailed: the longer a host has watched, the longer it is likely to stay, so its
        // clients are less likely to be moved when it leaves (up to 0.1, reached after AGE_FOR_FULL_BONUS).
        long hostedMillis = Math.max(0, reputation.now() - host.registeredAtMillis());
        double age = Math.min(1.0, hostedMillis / (double) AGE_FOR_FULL_BONUS_MILLIS);
        return success - slowness - starving + 0.1 * age;
    }
}
