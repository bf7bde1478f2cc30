package p2pedge.media.rtc;

import java.security.GeneralSecurityException;

/**
 * Per-SSRC state of one SRTP session, at most {@link #MAX} SSRCs (a peer inventing SSRCs would otherwise grow it
 * a packet at a time; real sessions use a handful): a linear scan of a few ints, in the order first seen, instead of a
 * hash map's boxed key and hashing on every packet. Not thread-safe.
 *
 * @param <T> the state kept per SSRC
 */
final class SsrcTable<T> {

    static final int MAX = 16;

    /** Makes the state of a newly seen SSRC. */
    interface Factory<T> {
        T make(int ssrc) throws GeneralSecurityException;
    }

    private final int[] ssrcs = new int[MAX];
    private final Object[] states = new Object[MAX];
    private int count;
    private final Factory<T> factory;

    SsrcTable(Factory<T> factory) {
        this.factory = factory;
    }

    /** The state of {@code ssrc}, made on its first packet; null for a new SSRC past {@link #MAX}. */
    @SuppressWarnings("unchecked")
    T get(int ssrc) throws GeneralSecurityException {
        for (int i = 0; i < count; i++) {
            if (ssrcs[i] == ssrc) {
                return (T) states[i];
            }
        }
        if (count == MAX) {
            return null;
        }
        T state = factory.make(ssrc);
        ssrcs[count] = ssrc;
        states[count++] = state;
        return state;
    }
}
