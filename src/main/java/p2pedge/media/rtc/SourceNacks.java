package p2pedge.media.rtc;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which of a source's video packets the edge asks it to send again (generic NACK), decided from the sequence numbers
 * that arrive: every viewer of the stream misses what the edge missed, and a lost packet recovered here costs one
 * request, where waiting for a keyframe stops every decoder until it comes. The packets of a gap are asked for at once,
 * again each time a request goes unanswered for the source's retransmission timeout, until {@code tries} requests
 * went unanswered, then given up, and a keyframe is then needed ({@link #keyframeNeeded}).
 *
 * <p>The timeout follows the source's round trip, measured from the packets that came after one request (Karn: a
 * packet asked for twice says not which request it answers): smoothed RTT plus four times its variation, never
 * below {@code retryFloorMillis} (the wait before any measurement; a packet that was only reordered arrives soon
 * after its request and would make the path look shorter than it is) nor above {@link #MAX_RETRY_MILLIS}. A source
 * far away is then not asked again before its first answer could have come, nor given up before its answers could
 * come at all.
 *
 * <p>Bounded whatever a source sends: a gap of more than {@link #MAX_GAP} packets is not asked for (a burst that long
 * is repaired by a keyframe sooner), a packet outstanding is given up once it is more than {@link #MAX_BEHIND} behind
 * the newest (the SRTP replay window would refuse it), at most {@link #MAX_MISSING} packets per SSRC are outstanding
 * (the oldest given up first), and {@code maxSsrcs} SSRCs are tracked (the one heard from least recently forgotten).
 * Pure: time is passed in. Not thread-safe: fed on the thread that receives the source.
 */
public final class SourceNacks {

    /** The largest gap asked for. */
    public static final int MAX_GAP = 63;
    /** How far behind the newest packet an outstanding one may fall: the farthest the SRTP replay window takes one from. */
    static final int MAX_BEHIND = SrtpReceiver.REPLAY_WINDOW - 1;
    /** Packets outstanding per SSRC: two of the longest gaps. */
    static final int MAX_MISSING = 2 * (MAX_GAP + 1);
    /** The longest wait before a packet is asked for again, however slow the source's path. */
    public static final long MAX_RETRY_MILLIS = 1_000;
    private static final int[] NONE = new int[0];

    /** What a packet was, against what came before it. */
    public enum Arrival {
        /** Newer than any before (perhaps after a gap, which is now asked for). */
        NEXT,
        /** One that was asked for again. */
        RECOVERED,
        /** Older than the newest, not asked for: reordered on the way, or asked for and given up already. */
        LATE,
        /** The newest one again. */
        REPEATED
    }

    private final long retryFloorMillis;
    private final int tries;
    private final RoundTripEstimate roundTrip = new RoundTripEstimate();
    private final int maxSsrcs;
    private final Map<Integer, Track> tracks = new LinkedHashMap<>(8, 0.75f, true);
    private long requested;
    private long recovered;
    private long abandoned;

    /**
     * @param retryFloorMillis the shortest wait for a requested packet before it is asked for again, and the wait
     *                         until the source's round trip is measured
     * @param tries            requests per lost packet before it is given up
     * @param maxSsrcs         SSRCs tracked at once (a source's simulcast layers)
     */
    public SourceNacks(long retryFloorMillis, int tries, int maxSsrcs) {
        if (retryFloorMillis <= 0 || retryFloorMillis > MAX_RETRY_MILLIS || tries < 1 || maxSsrcs < 1) {
            throw new IllegalArgumentException("0 < retryFloorMillis <= " + MAX_RETRY_MILLIS + ", tries >= 1 and maxSsrcs >= 1");
        }
        this.retryFloorMillis = retryFloorMillis;
        this.tries = tries;
        this.maxSsrcs = maxSsrcs;
    }

    /** A packet of {@code ssrc} arrived at {@code nowMillis} (authenticated: a forged one must not move the window). */
    public Arrival onPacket(int ssrc, int sequence, long nowMillis) {
        Track track = tracks.get(ssrc);
        if (track == null) {
            if (tracks.size() >= maxSsrcs) {
                Map.Entry<Integer, Track> eldest = tracks.entrySet().iterator().next();
                abandoned += eldest.getValue().count;
                tracks.remove(eldest.getKey());
            }
            tracks.put(ssrc, new Track(sequence & 0xFFFF));
            return Arrival.NEXT;
        }
        int ahead = SequenceNumbers.distance(track.highest, sequence);
        if (ahead == 0) {
            return Arrival.REPEATED;
        }
        if (ahead < 0x8000) {
            int givenUp = 0;
            if (ahead > MAX_GAP) {
                givenUp = track.count;
                track.count = 0;
                track.keyframeNeeded = true; // the gap itself is not asked for
            } else {
                for (int missing = 1; missing < ahead; missing++) {
                    givenUp += track.add((track.highest + missing) & 0xFFFF);
                }
            }
            track.highest = sequence & 0xFFFF;
            givenUp += track.dropOlderThan(MAX_BEHIND);
            track.keyframeNeeded |= givenUp > 0;
            abandoned += givenUp;
            return Arrival.NEXT;
        }
        int index = track.indexOf(sequence & 0xFFFF);
        if (index >= 0) {
            if (track.asked[index] == 1) {
                roundTrip.sample(nowMillis - track.askedAt[index]);
            }
            track.removeAt(index);
            recovered++;
            return Arrival.RECOVERED;
        }
        return Arrival.LATE;
    }

    /**
     * The packets of {@code ssrc} to ask for now, oldest first: those missed since the last call and those whose last
     * request went unanswered for the retransmission timeout; each counts as a request. Those asked for {@code tries}
     * times and unanswered for the timeout after that are given up.
     */
    public int[] due(int ssrc, long nowMillis) {
        Track track = tracks.get(ssrc);
        if (track == null || track.count == 0) {
            return NONE; // the common case, once per source packet: nothing allocated
        }
        long retryMillis = retryMillis();
        int[] out = new int[track.count];
        int n = 0;
        int kept = 0;
        for (int i = 0; i < track.count; i++) {
            boolean waited = track.asked[i] == 0 || nowMillis - track.askedAt[i] >= retryMillis;
            if (waited && track.asked[i] >= tries) {
                abandoned++;
                track.keyframeNeeded = true;
                continue;
            }
            if (waited) {
                out[n++] = track.sequences[i];
                track.asked[i]++;
                track.askedAt[i] = nowMillis;
            }
            track.sequences[kept] = track.sequences[i];
            track.asked[kept] = track.asked[i];
            track.askedAt[kept] = track.askedAt[i];
            kept++;
        }
        track.count = kept;
        requested += n;
        return n == 0 ? NONE : n == out.length ? out : Arrays.copyOf(out, n);
    }

    /**
     * Whether packets of {@code ssrc} were given up since the last call (a gap too long to ask for, one fallen too far
     * behind, one unanswered after every try): every decoder fed from it then waits for a keyframe, which the source
     * is better asked for at once than after each viewer's decoder timed out (libwebrtc's waits seconds).
     */
    public boolean keyframeNeeded(int ssrc) {
        Track track = tracks.get(ssrc);
        if (track == null || !track.keyframeNeeded) {
            return false;
        }
        track.keyframeNeeded = false;
        return true;
    }

    /** How long a request waits for its packet now before the packet is asked for again. */
    public long retryMillis() {
        return roundTrip.timeoutMillis(retryFloorMillis, MAX_RETRY_MILLIS);
    }

    /** The source's round trip as its answers to requests tell it, in milliseconds; -1 before one came. */
    public double roundTripMillis() {
        return roundTrip.smoothedMillis();
    }

    /** Packets asked for so far (each request of each packet). */
    public long requested() {
        return requested;
    }

    /** Packets that arrived after they were asked for. */
    public long recovered() {
        return recovered;
    }

    /** Packets given up: unanswered, too far behind, or dropped to keep the bounds. */
    public long abandoned() {
        return abandoned;
    }

    /** Packets of {@code ssrc} outstanding now. */
    int outstanding(int ssrc) {
        Track track = tracks.get(ssrc);
        return track == null ? 0 : track.count;
    }

    /** SSRCs tracked now. */
    int tracked() {
        return tracks.size();
    }

    /** One SSRC: its newest sequence number and the missing ones, oldest first, in parallel arrays. */
    private static final class Track {
        int highest;
        /** Packets were given up since {@link #keyframeNeeded} last said so. */
        boolean keyframeNeeded;
        final int[] sequences = new int[MAX_MISSING];
        final int[] asked = new int[MAX_MISSING];
        final long[] askedAt = new long[MAX_MISSING];
        int count;

        Track(int highest) {
            this.highest = highest;
        }

        /** Adds a missing packet at the end, giving up the oldest when full; returns how many it gave up (0 or 1). */
        int add(int sequence) {
            int dropped = 0;
            if (count == MAX_MISSING) {
                removeAt(0);
                dropped = 1;
            }
            sequences[count] = sequence;
            asked[count] = 0;
            askedAt[count] = 0;
            count++;
            return dropped;
        }

        /** Where {@code sequence} is among the missing packets; -1 when it is not. */
        int indexOf(int sequence) {
            for (int i = 0; i < count; i++) {
                if (sequences[i] == sequence) {
                    return i;
                }
            }
            return -1;
        }

        void removeAt(int index) {
            System.arraycopy(sequences, index + 1, sequences, index, count - index - 1);
            System.arraycopy(asked, index + 1, asked, index, count - index - 1);
            System.arraycopy(askedAt, index + 1, askedAt, index, count - index - 1);
            count--;
        }

        /** Drops the missing packets more than {@code distance} behind the newest; returns how many. */
        int dropOlderThan(int distance) {
            int dropped = 0;
            while (count > 0 && SequenceNumbers.distance(sequences[0], highest) > distance) {
                removeAt(0);
                dropped++;
            }
            return dropped;
        }
    }
}
