package p2pedge.bench;

/** What the signalling bench reads of a synthetic player, whichever load client plays it. */
interface SyntheticPlayer extends AutoCloseable {

    /** The host peer it plays from, 0 for the edge, -1 while it waits. */
    long host();

    /** nanoTime of its last request_offer. */
    long askedAtNanos();

    /** nanoTime of the last offer it got. */
    long servedAtNanos();

    @Override
    void close();
}
