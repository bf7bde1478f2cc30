package p2pedge.media.rtc;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CipherChangeGateTest {

    private static final int CERTIFICATE = 11;
    private static final int CLIENT_KEY_EXCHANGE = 16;
    private static final int CERTIFICATE_VERIFY = 15;

    @Test
    void aChangeCipherSpecAheadOfTheCertificateVerifyFollowsIt() {
        CipherChangeGate gate = new CipherChangeGate();
        byte[] certificate = handshake(1, CERTIFICATE);
        byte[] keyExchange = handshake(2, CLIENT_KEY_EXCHANGE);
        byte[] changeCipherSpec = changeCipherSpec(4);
        byte[] finished = encrypted(0);
        byte[] verify = handshake(3, CERTIFICATE_VERIFY);
        assertEquals(List.of(certificate), gate.admit(certificate));
        assertEquals(List.of(keyExchange), gate.admit(keyExchange));
        assertTrue(gate.admit(changeCipherSpec).isEmpty(), "held");
        assertTrue(gate.admit(finished).isEmpty(), "held");
        assertEquals(2, gate.held());
        List<byte[]> released = gate.admit(verify);
        assertEquals(3, released.size());
        assertSame(verify, released.get(0));
        assertSame(changeCipherSpec, released.get(1));
        assertSame(finished, released.get(2));
        byte[] later = changeCipherSpec(9);
        assertEquals(List.of(later), gate.admit(later), "open once the CertificateVerify went by");
    }

    @Test
    void aFlightInOrderPassesUntouched() {
        CipherChangeGate gate = new CipherChangeGate();
        for (byte[] datagram : List.of(handshake(0, 1), handshake(1, CERTIFICATE), handshake(2, CLIENT_KEY_EXCHANGE),
                handshake(3, CERTIFICATE_VERIFY), changeCipherSpec(4), encrypted(0))) {
            assertEquals(List.of(datagram), gate.admit(datagram));
        }
    }

    @Test
    void aCertificateVerifyPackedAfterOtherMessagesInOneRecordIsFound() {
        // One record holding Certificate, ClientKeyExchange and CertificateVerify, then the cipher change: one datagram.
        byte[] messages = concat(message(CERTIFICATE, 1, 40), message(CLIENT_KEY_EXCHANGE, 2, 33), message(CERTIFICATE_VERIFY, 3, 72));
        byte[] packed = concat(record(22, 0, 1, messages), changeCipherSpec(2), encrypted(0));
        CipherChangeGate gate = new CipherChangeGate();
        assertTrue(gate.admit(changeCipherSpec(7)).isEmpty());
        assertEquals(2, gate.admit(packed).size(), "the packed flight, then the held record");
    }

    @Test
    void aSecondChangeCipherSpecWithoutCertificateVerifyOpensTheGate() {
        CipherChangeGate gate = new CipherChangeGate();
        byte[] first = changeCipherSpec(4);
        assertTrue(gate.admit(first).isEmpty());
        assertTrue(gate.admit(encrypted(0)).isEmpty());
        byte[] again = changeCipherSpec(8);
        List<byte[]> released = gate.admit(again);
        assertEquals(3, released.size(), "a client that sends no CertificateVerify is held for one flight at most");
        assertSame(first, released.get(0));
        assertSame(again, released.get(2));
    }

    @Test
    void heldDatagramsAreBounded() {
        CipherChangeGate gate = new CipherChangeGate();
        for (int i = 0; i < CipherChangeGate.MAX_HELD + 5; i++) {
            assertTrue(gate.admit(encrypted(i)).isEmpty());
        }
        assertEquals(CipherChangeGate.MAX_HELD, gate.held());
        assertEquals(5, gate.dropped());
    }

    @Test
    void truncatedAndMalformedDatagramsNeitherThrowNorOpenTheGate() {
        CipherChangeGate gate = new CipherChangeGate();
        byte[] lyingLength = handshake(1, CERTIFICATE);
        lyingLength[11] = (byte) 0xFF; // the record claims more than the datagram has
        for (byte[] datagram : List.of(new byte[0], new byte[]{22}, new byte[13], lyingLength, new byte[25])) {
            gate.admit(datagram);
        }
        assertTrue(gate.admit(changeCipherSpec(5)).isEmpty(), "still closed");
    }

    /** An epoch-0 handshake record with one whole message of the given type. */
    private static byte[] handshake(long sequence, int type) {
        return record(22, 0, sequence, message(type, (int) sequence, 20));
    }

    private static byte[] changeCipherSpec(long sequence) {
        return record(20, 0, sequence, new byte[]{1});
    }

    private static byte[] encrypted(long sequence) {
        return record(22, 1, sequence, new byte[40]);
    }

    private static byte[] message(int type, int messageSeq, int length) {
        byte[] out = new byte[12 + length];
        out[0] = (byte) type;
        out[3] = (byte) length;
        out[5] = (byte) messageSeq;
        out[11] = (byte) length;
        return out;
    }

    private static byte[] record(int type, int epoch, long sequence, byte[] body) {
        byte[] out = new byte[13 + body.length];
        out[0] = (byte) type;
        out[1] = (byte) 0xFE;
        out[2] = (byte) 0xFD;
        out[4] = (byte) epoch;
        out[10] = (byte) sequence;
        out[11] = (byte) (body.length >> 8);
        out[12] = (byte) body.length;
        System.arraycopy(body, 0, out, 13, body.length);
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }
}
