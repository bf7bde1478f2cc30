/**
 * The forwarding media plane: one shared UDP port ({@link p2pedge.media.rtc.SharedUdpPort}), streams fed by a
 * publisher or pulled from another edge, their RTP forwarded to every viewer.
 *
 * <h2>Threading rule</h2>
 * All media state lives on the media verticle's context: the port's socket handler, its session table and DTLS
 * associations, the streams, their forwarders and SRTP contexts, the viewers, the pulls, every timer. DTLS handshake
 * threads and libwebrtc's native threads own nothing: they only hand their results back to that context
 * ({@code context.runOnContext}, which {@link p2pedge.media.rtc.DtlsHandshakes} and the webrtc-java callbacks do), so
 * a session's keys, like everything else, are set where they are used. Hence no locks and no {@code volatile} here;
 * code that runs elsewhere must hop before it touches any of it.
 */
package p2pedge.media.forwarding;
