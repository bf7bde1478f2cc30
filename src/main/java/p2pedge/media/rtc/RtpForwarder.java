package p2pedge.media.rtc;

import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.logging.Logger;

/**
 * Encode once, forward to all: each video RTP packet a source sends (already authenticated and decrypted)
 * goes to every viewer of the stream, rewritten for that viewer ({@link RtpRewriter}) and protected with that
 * viewer's SRTP keys. No decoding, no re-encoding. A viewer that joins asks the source for a keyframe
 * (collapsed with everyone else's by {@link KeyframeRequests}) and receives packets from that keyframe on,
 * so its decoder never starts mid-picture.
 */
public final class RtpForwarder {

    private static final Logger LOG = Logger.getLogger(RtpForwarder.class.getName());

    /** One viewer: where its packets go, how they are rewritten and protected. */
    public static final class Viewer {
        private final InetSocketAddress address;
        private final RtpRewriter rewriter;
        private final SrtpTransformer srtp;
        private boolean synced;

        public Viewer(InetSocketAddress address, RtpRewriter rewriter, SrtpTransformer srtp) {
            this.address = address;
            this.rewriter = rewriter;
            this.srtp = srtp;
        }
    }

    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
    private final BiConsumer<InetSocketAddress, byte[]> sender;
    private final KeyframeRequests keyframes;
    private final LongAdder forwarded = new LongAdder();

    /**
     * @param sender    sends a protected datagram (the shared port)
     * @param keyframes asks the source for a keyframe (video); null for audio, where any packet is a start
     */
    public RtpForwarder(BiConsumer<InetSocketAddress, byte[]> sender, KeyframeRequests keyframes) {
        this.sender = sender;
        this.keyframes = keyframes;
    }

    public void add(String viewerId, Viewer viewer) {
        viewer.synced = keyframes == null;
        viewers.put(viewerId, viewer);
        if (keyframes != null) {
            keyframes.request();
        }
    }

    /** The viewer's SRTP state is dropped, not closed: a packet for it may be in flight on the port's thread. */
    public void remove(String viewerId) {
        viewers.remove(viewerId);
    }

    public int viewerCount() {
        return viewers.size();
    }

    public long forwarded() {
        return forwarded.sum();
    }

    /** A source packet, plain RTP. Called from one thread (the port's handler). */
    public void onSourceRtp(byte[] packet) {
        boolean keyframe = false;
        if (keyframes != null) {
            keyframes.flush();
            keyframe = Vp8.startsKeyframe(packet);
        }
        for (Viewer viewer : viewers.values()) {
            if (!viewer.synced) {
                if (!keyframe) {
                    continue;
                }
                viewer.synced = true;
            }
            try {
                // A viewer's SRTP context is touched only here, on this one thread.
                byte[] secured = viewer.srtp.protectRtp(viewer.rewriter.rewrite(packet));
                sender.accept(viewer.address, secured);
                forwarded.increment();
            } catch (GeneralSecurityException e) {
                LOG.warning("cannot protect a packet for " + viewer.address + ": " + e.getMessage());
            }
        }
    }
}
