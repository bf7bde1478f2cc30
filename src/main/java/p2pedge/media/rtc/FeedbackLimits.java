package p2pedge.media.rtc;

/**
 * What a viewer's RTCP feedback may make the edge do (see {@link RetransmissionBudget}, {@link KeyframeBudget}).
 *
 * @param retransmitBudgetPercent     resends to one viewer, in bytes per second, as a percentage of the stream's rate
 * @param retransmitWindowFloorMillis one packet is resent at most once per this long, or per the viewer's RTT if longer
 * @param viewerKeyframeIntervalMillis one honoured keyframe request per viewer per this long (0: no limit)
 */
public record FeedbackLimits(int retransmitBudgetPercent, long retransmitWindowFloorMillis, long viewerKeyframeIntervalMillis) {

    /** libwebrtc's NACK module assumes 100 ms of RTT until it knows better, and asks again after that. */
    public static final long WINDOW_FLOOR_MILLIS = 100;

    /** The production defaults (conf/edge.json). */
    public static final FeedbackLimits DEFAULT = new FeedbackLimits(20, WINDOW_FLOOR_MILLIS, 2_000);
}
