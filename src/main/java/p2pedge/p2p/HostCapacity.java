package p2pedge.p2p;

import java.util.OptionalInt;

/**
 * How many clients a host may take, from what its relays show. A host starts with {@code start} slots (the reference
 * server's fixed number); one whose relays have been limited by bandwidth or CPU for {@code lowerAfterMillis} drops
 * to one slot fewer than the relays it carries (its newest client goes elsewhere). A limitation lasts while its
 * limited reports are at least as many as its unlimited ones: relays sharing a link too small for them flicker
 * between "bandwidth" and "none" as their encoders hunt, so one clear report is no recovery. One whose relays run
 * unlimited with an estimated upload that would carry one slot more at the stream's bitrate ({@code headroom} times
 * it) for {@code raiseAfterMillis} gains a slot, up to {@code max}, but not within {@code holdMillis} of being
 * lowered. (A browser's estimate for a relay capped at the stream's bitrate stays near what it probed, above the
 * bitrate on an open link: it grows with the relays it runs, so slots are gained one relay at a time.)
 * The upload figures are the host's own word: a host that overstates them gains at most {@code max} slots, and its
 * clients' failure reports still take it out ({@link HostReputation}). Pure: time is passed in.
 */
public final class HostCapacity {

    /**
     * @param start            slots of a new host
     * @param max              the most a host may take
     * @param headroom         spare upload asked for a further relay, as a multiple of the stream's bitrate
     * @param raiseAfterMillis how long the headroom must last
     * @param lowerAfterMillis how long a limitation must last (a new relay's encoder starts low and says
     *                         "bandwidth" while it ramps up: a moment of it is no evidence)
     * @param holdMillis       no raise this long after a lowering (no flapping around a link's limit)
     */
    public record Rules(int start, int max, double headroom, long raiseAfterMillis, long lowerAfterMillis, long holdMillis) {
        public Rules {
            if (start < 0 || start > max) {
                throw new IllegalArgumentException("start slots must be within 0.." + max);
            }
        }
    }

    /**
     * What a host's page measured of its relays in its last report.
     * @param relays        relays sending now
     * @param sentKbps      what they send together (kbit/s)
     * @param availableKbps what the browser estimates they could send together (-1: not known)
     * @param limited       a relay's encoder is held back by bandwidth or CPU
     */
    public record Upload(int relays, int sentKbps, int availableKbps, boolean limited) {
    }

    /** One host's standing: its slots and what is being watched. */
    public static final class State {
        private int slots;
        private long limitedSince = -1;
        private int limitedReports;
        private int clearReports;
        private long headroomSince = -1;
        private long loweredAt = Long.MIN_VALUE / 2;

        private State(int slots) {
            this.slots = slots;
        }

        public int slots() {
            return slots;
        }
    }

    private final Rules rules;

    public HostCapacity(Rules rules) {
        this.rules = rules;
    }

    public State start() {
        return new State(rules.start());
    }

    /**
     * A report from the host at {@code now} on a stream of {@code streamKbps}: its new number of slots, or empty when
     * it stays. A lowering below the clients it has means its newest clients are moved.
     */
    public OptionalInt report(State state, Upload upload, int streamKbps, long now) {
        if (upload.relays() > 0 && upload.limited()) {
            state.headroomSince = -1;
            if (state.limitedSince < 0) {
                state.limitedSince = now;
            }
            state.limitedReports++;
            if (now - state.limitedSince < rules.lowerAfterMillis()) {
                return OptionalInt.empty();
            }
            endLimitation(state);
            state.loweredAt = now;
            return change(state, Math.max(0, Math.min(state.slots, upload.relays()) - 1));
        }
        if (state.limitedSince >= 0) {
            if (upload.relays() > 0 && ++state.clearReports <= state.limitedReports) {
                return OptionalInt.empty(); // not yet a recovery: no raise either
            }
            endLimitation(state);
        }
        // The browser estimates an upload only for relays it runs: one relay at least is the evidence.
        boolean roomForOneMore = upload.relays() > 0 && streamKbps > 0 && upload.availableKbps() >= 0
                && upload.availableKbps() >= (state.slots + 1) * streamKbps * rules.headroom();
        if (!roomForOneMore || state.slots >= rules.max() || now - state.loweredAt < rules.holdMillis()) {
            state.headroomSince = -1;
            return OptionalInt.empty();
        }
        if (state.headroomSince < 0) {
            state.headroomSince = now;
        }
        if (now - state.headroomSince < rules.raiseAfterMillis()) {
            return OptionalInt.empty();
        }
        state.headroomSince = -1;
        return change(state, state.slots + 1);
    }

    private static void endLimitation(State state) {
        state.limitedSince = -1;
        state.limitedReports = 0;
        state.clearReports = 0;
    }

    private static OptionalInt change(State state, int slots) {
        if (slots == state.slots) {
            return OptionalInt.empty();
        }
        state.slots = slots;
        return OptionalInt.of(slots);
    }
}
