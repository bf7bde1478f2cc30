package p2pedge.media.rtc;

import java.util.ArrayList;
import java.util.List;

/**
 * Puts a client's last handshake flight in the order Bouncy Castle's DTLS server can take it. Once the server has
 * the keys (after the ClientKeyExchange) it switches its read epoch at the first ChangeCipherSpec it reads, and from
 * then on discards every epoch-0 record: a CertificateVerify (always sent: WebRTC authenticates both ends) that
 * arrives after the ChangeCipherSpec, reordered or lost and resent, can never be read, and the handshake hangs
 * until its timeout while the client resends its flight in vain. Seen on loopback under load, about once in 2,000
 * handshakes; on a lossy link, whenever the datagram with the CertificateVerify is the one lost.
 *
 * <p>So a datagram that opens with a ChangeCipherSpec or an encrypted (epoch 1+) record is held until one carrying
 * the CertificateVerify has been handed on, then follows it. A second ChangeCipherSpec with no CertificateVerify
 * seen (a client that sends none) opens the gate as well: the gate never holds a flight for longer than the client
 * takes to resend it. Bounded: beyond {@link #MAX_HELD} held datagrams more are dropped (the client resends its
 * whole flight). Pure; used on the port's context for a handshake in progress.
 */
final class CipherChangeGate {

    static final int MAX_HELD = 8;

    private static final int CHANGE_CIPHER_SPEC = 20;
    private static final int HANDSHAKE = 22;
    private static final int CERTIFICATE_VERIFY = 15;
    private static final int RECORD_HEADER = 13;
    private static final int HANDSHAKE_HEADER = 12;

    private final List<byte[]> held = new ArrayList<>();
    private boolean open;
    private long dropped;

    /** The datagrams to hand to the handshake now, in order: none when {@code datagram} is held or dropped. */
    List<byte[]> admit(byte[] datagram) {
        if (open) {
            return List.of(datagram);
        }
        if (carriesCertificateVerify(datagram)) {
            return open(List.of(datagram), held);
        }
        if (opensNextEpoch(datagram)) {
            if (isChangeCipherSpec(datagram) && held.stream().anyMatch(CipherChangeGate::isChangeCipherSpec)) {
                return open(held, List.of(datagram));
            }
            if (held.size() < MAX_HELD) {
                held.add(datagram);
            } else {
                dropped++;
            }
            return List.of();
        }
        return List.of(datagram);
    }

    /** Opens the gate: {@code first}, then {@code then}, in that order; nothing stays held. */
    private List<byte[]> open(List<byte[]> first, List<byte[]> then) {
        List<byte[]> out = new ArrayList<>(first);
        out.addAll(then);
        open = true;
        held.clear();
        return out;
    }

    /** Datagrams dropped because the gate held {@link #MAX_HELD} already. */
    long dropped() {
        return dropped;
    }

    int held() {
        return held.size();
    }

    private static boolean opensNextEpoch(byte[] data) {
        return data.length >= RECORD_HEADER && (isChangeCipherSpec(data) || data[3] != 0 || data[4] != 0);
    }

    private static boolean isChangeCipherSpec(byte[] data) {
        return data.length >= RECORD_HEADER && (data[0] & 0xFF) == CHANGE_CIPHER_SPEC;
    }

    /**
     * A CertificateVerify (or a fragment of one) in any epoch-0 handshake record of the datagram: a record may hold
     * several handshake messages, each with its 12-byte header (type, length, message_seq, fragment offset and length).
     */
    private static boolean carriesCertificateVerify(byte[] data) {
        int record = 0;
        while (record + RECORD_HEADER <= data.length) {
            int end = Math.min(data.length, record + RECORD_HEADER + u16(data, record + 11));
            if ((data[record] & 0xFF) == HANDSHAKE && data[record + 3] == 0 && data[record + 4] == 0) {
                int message = record + RECORD_HEADER;
                while (message + HANDSHAKE_HEADER <= end) {
                    if ((data[message] & 0xFF) == CERTIFICATE_VERIFY) {
                        return true;
                    }
                    message += HANDSHAKE_HEADER + ((data[message + 9] & 0xFF) << 16 | u16(data, message + 10));
                }
            }
            record = end;
        }
        return false;
    }

    private static int u16(byte[] data, int at) {
        return (data[at] & 0xFF) << 8 | (data[at + 1] & 0xFF);
    }
}
