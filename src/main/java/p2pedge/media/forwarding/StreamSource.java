package p2pedge.media.forwarding;

/**
 * Where a {@link ForwardedStream}'s packets come from, one at a time: a publisher on this edge's port
 * ({@link PublisherSession}) or another edge ({@link StreamPull}). The source decrypts and hands the stream plain
 * RTP and RTCP; the stream asks it for keyframes. On the media context, like the stream.
 */
interface StreamSource extends AutoCloseable {

    /** The payload type the source's video arrives with (negotiated with the source). */
    int videoType();

    /** The payload type the source's audio arrives with. */
    int audioType();

    /** How many video layers it sends (simulcast), 1 for one encoding. */
    default int videoLayers() {
        return 1;
    }

    /** Asks the source for a keyframe of its video SSRC (the stream collapses and limits these requests). */
    void requestKeyframe(int videoSsrc);

    /** Whether it resends video packets it is asked for again (generic NACK: a publisher, the edge a stream is pulled from). */
    default boolean resends() {
        return false;
    }

    /** Asks the source to send these packets of its video SSRC again (generic NACK); only called when it {@link #resends}. */
    default void requestRetransmission(int videoSsrc, int[] sequences) {
    }

    /** Stops the source: its session, its keys, its timers. Idempotent. */
    @Override
    void close();
}
