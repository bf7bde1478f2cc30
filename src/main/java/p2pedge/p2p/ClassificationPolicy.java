package p2pedge.p2p;

/** Decides who may host, who may relay to whom, and which host a new client is placed on. */
public interface ClassificationPolicy {

    String name();

    PeerProfile profile(String userAgent);

    /**
     * Whether a qualifying player is registered as a host as soon as it is offered the stream (the reference
     * server) rather than once its own edge connection carries media.
     */
    boolean registersHostOnOffer();

    /** Whether a host may take another client, given what was measured about it. */
    boolean acceptsClients(HostEntry host);

    /** Preference among hosts that accept the client: higher is better. */
    double score(HostEntry host);
}
