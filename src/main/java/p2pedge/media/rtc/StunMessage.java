package p2pedge.media.rtc;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A STUN message (RFC 8489) as ICE connectivity checks use it (RFC 8445): parsing with bounds checks, the
 * short-term credential MESSAGE-INTEGRITY (HMAC-SHA1), FINGERPRINT (CRC-32), XOR-MAPPED-ADDRESS, and a builder.
 * Anything malformed raises {@link StunException}; nothing is trusted before it is checked.
 */
public final class StunMessage {

    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;

    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int PRIORITY = 0x0024;
    public static final int USE_CANDIDATE = 0x0025;
    public static final int SOFTWARE = 0x8022;
    public static final int FINGERPRINT = 0x8028;
    public static final int ICE_CONTROLLED = 0x8029;
    public static final int ICE_CONTROLLING = 0x802A;

    static final int MAGIC_COOKIE = 0x2112A442;
    static final int HEADER = 20;
    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int INTEGRITY_LENGTH = 20;
    /** ICE checks are small; a bigger datagram is not one of them. */
    private static final int MAX_LENGTH = 1500;

    /** One attribute: its type and where its value sits in the message. */
    public record Attribute(int type, int headerOffset, int valueOffset, int valueLength) {
    }

    private final byte[] bytes;
    private final int type;
    private final List<Attribute> attributes;

    private StunMessage(byte[] bytes, int type, List<Attribute> attributes) {
        this.bytes = bytes;
        this.type = type;
        this.attributes = attributes;
    }

    /** Cheap test before parsing: top two bits zero, magic cookie, length a multiple of 4 that fits. */
    public static boolean looksLikeStun(byte[] data, int length) {
        if (length < HEADER || (data[0] & 0xC0) != 0) {
            return false;
        }
        int bodyLength = ((data[2] & 0xFF) << 8) | (data[3] & 0xFF);
        return (bodyLength & 3) == 0 && bodyLength + HEADER == length
                && ByteBuffer.wrap(data, 4, 4).getInt() == MAGIC_COOKIE;
    }

    public static StunMessage parse(byte[] data, int length) throws StunException {
        if (length > MAX_LENGTH || length > data.length || !looksLikeStun(data, length)) {
            throw new StunException("not a STUN message");
        }
        byte[] copy = Arrays.copyOf(data, length);
        int type = ((copy[0] & 0xFF) << 8) | (copy[1] & 0xFF);
        List<Attribute> attributes = new ArrayList<>();
        int offset = HEADER;
        while (offset < length) {
            if (offset + 4 > length) {
                throw new StunException("truncated attribute header");
            }
            int attrType = ((copy[offset] & 0xFF) << 8) | (copy[offset + 1] & 0xFF);
            int attrLength = ((copy[offset + 2] & 0xFF) << 8) | (copy[offset + 3] & 0xFF);
            int padded = (attrLength + 3) & ~3;
            if (offset + 4 + padded > length) {
                throw new StunException("attribute overruns the message");
            }
            attributes.add(new Attribute(attrType, offset, offset + 4, attrLength));
            offset += 4 + padded;
            if (attrType == FINGERPRINT && offset != length) {
                throw new StunException("FINGERPRINT must be the last attribute");
            }
        }
        return new StunMessage(copy, type, List.copyOf(attributes));
    }

    public int type() {
        return type;
    }

    public byte[] transactionId() {
        return Arrays.copyOfRange(bytes, 8, HEADER);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public Optional<Attribute> attribute(int attributeType) {
        return attributes.stream().filter(a -> a.type() == attributeType).findFirst();
    }

    public boolean has(int attributeType) {
        return attribute(attributeType).isPresent();
    }

    public Optional<byte[]> value(int attributeType) {
        return attribute(attributeType).map(a -> Arrays.copyOfRange(bytes, a.valueOffset(), a.valueOffset() + a.valueLength()));
    }

    public Optional<String> username() {
        return value(USERNAME).map(v -> new String(v, StandardCharsets.UTF_8));
    }

    public Optional<Long> priority() {
        return value(PRIORITY).filter(v -> v.length == 4).map(v -> ByteBuffer.wrap(v).getInt() & 0xFFFFFFFFL);
    }

    /** True when FINGERPRINT is present and matches (false when absent). */
    public boolean hasValidFingerprint() {
        Optional<Attribute> fingerprint = attribute(FINGERPRINT);
        if (fingerprint.isEmpty() || fingerprint.get().valueLength() != 4) {
            return false;
        }
        int headerOffset = fingerprint.get().headerOffset();
        int expected = crc(bytes, headerOffset, headerOffset + 8 - HEADER);
        return ByteBuffer.wrap(bytes, fingerprint.get().valueOffset(), 4).getInt() == expected;
    }

    /** True when MESSAGE-INTEGRITY is present and was computed with {@code key} (false when absent). */
    public boolean hasValidIntegrity(byte[] key) {
        Optional<Attribute> integrity = attribute(MESSAGE_INTEGRITY);
        if (integrity.isEmpty() || integrity.get().valueLength() != INTEGRITY_LENGTH) {
            return false;
        }
        int headerOffset = integrity.get().headerOffset();
        byte[] expected = hmac(key, bytes, headerOffset, headerOffset + 4 + INTEGRITY_LENGTH - HEADER);
        byte[] actual = Arrays.copyOfRange(bytes, integrity.get().valueOffset(), integrity.get().valueOffset() + INTEGRITY_LENGTH);
        return MessageDigest.isEqual(expected, actual);
    }

    public Optional<InetSocketAddress> xorMappedAddress() throws StunException {
        Optional<byte[]> value = value(XOR_MAPPED_ADDRESS);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        byte[] v = value.get();
        if (v.length < 8) {
            throw new StunException("short XOR-MAPPED-ADDRESS");
        }
        int family = v[1] & 0xFF;
        int port = (((v[2] & 0xFF) << 8) | (v[3] & 0xFF)) ^ (MAGIC_COOKIE >>> 16);
        int addressLength = family == 1 ? 4 : family == 2 ? 16 : -1;
        if (addressLength < 0 || v.length != 4 + addressLength) {
            throw new StunException("bad XOR-MAPPED-ADDRESS family or length");
        }
        byte[] address = Arrays.copyOfRange(v, 4, 4 + addressLength);
        xorWithCookieAndTransaction(address, bytes);
        try {
            return Optional.of(new InetSocketAddress(InetAddress.getByAddress(address), port));
        } catch (UnknownHostException e) {
            throw new StunException("bad address");
        }
    }

    public static Builder builder(int type, byte[] transactionId) {
        return new Builder(type, transactionId);
    }

    /** Builds a message; MESSAGE-INTEGRITY and FINGERPRINT, when asked for, are appended last, in that order. */
    public static final class Builder {
        private final int type;
        private final byte[] transactionId;
        private final ByteBuffer body = ByteBuffer.allocate(MAX_LENGTH);
        private byte padding;

        private Builder(int type, byte[] transactionId) {
            if (transactionId.length != 12) {
                throw new IllegalArgumentException("transaction id must be 12 bytes");
            }
            this.type = type;
            this.transactionId = transactionId.clone();
        }

        /** The byte padding is filled with (any value is valid; RFC 5769's vectors use spaces). */
        Builder padding(byte value) {
            this.padding = value;
            return this;
        }

        public Builder attribute(int attributeType, byte[] value) {
            body.putShort((short) attributeType).putShort((short) value.length).put(value);
            for (int i = value.length; (i & 3) != 0; i++) {
                body.put(padding);
            }
            return this;
        }

        public Builder string(int attributeType, String value) {
            return attribute(attributeType, value.getBytes(StandardCharsets.UTF_8));
        }

        public Builder xorMappedAddress(InetSocketAddress address) {
            byte[] ip = address.getAddress().getAddress();
            byte[] value = new byte[4 + ip.length];
            value[1] = (byte) (ip.length == 4 ? 1 : 2);
            int port = address.getPort() ^ (MAGIC_COOKIE >>> 16);
            value[2] = (byte) (port >>> 8);
            value[3] = (byte) port;
            byte[] header = header(0);
            System.arraycopy(ip, 0, value, 4, ip.length);
            byte[] masked = Arrays.copyOfRange(value, 4, value.length);
            xorWithCookieAndTransaction(masked, header);
            System.arraycopy(masked, 0, value, 4, masked.length);
            return attribute(XOR_MAPPED_ADDRESS, value);
        }

        /** @param integrityKey short-term credential key (the password), or null for none */
        public byte[] build(byte[] integrityKey, boolean fingerprint) {
            if (integrityKey != null) {
                int lengthWithIntegrity = body.position() + 4 + INTEGRITY_LENGTH;
                byte[] prefix = concat(header(lengthWithIntegrity), body.array(), body.position());
                byte[] mac = hmac(integrityKey, prefix, prefix.length, lengthWithIntegrity);
                attribute(MESSAGE_INTEGRITY, mac);
            }
            if (fingerprint) {
                int lengthWithFingerprint = body.position() + 8;
                byte[] prefix = concat(header(lengthWithFingerprint), body.array(), body.position());
                attribute(FINGERPRINT, ByteBuffer.allocate(4).putInt(crc(prefix, prefix.length, lengthWithFingerprint)).array());
            }
            return concat(header(body.position()), body.array(), body.position());
        }

        private byte[] header(int bodyLength) {
            return ByteBuffer.allocate(HEADER).putShort((short) type).putShort((short) bodyLength).putInt(MAGIC_COOKIE)
                    .put(transactionId).array();
        }
    }

    /** XOR with the magic cookie then the transaction id (the header's bytes 4..19), as XOR-MAPPED-ADDRESS does. */
    private static void xorWithCookieAndTransaction(byte[] address, byte[] header) {
        for (int i = 0; i < address.length; i++) {
            address[i] ^= header[4 + i];
        }
    }

    private static byte[] concat(byte[] header, byte[] body, int bodyLength) {
        byte[] out = Arrays.copyOf(header, HEADER + bodyLength);
        System.arraycopy(body, 0, out, HEADER, bodyLength);
        return out;
    }

    /** HMAC-SHA1 over the message's first {@code end} bytes, with the header's length field set to {@code length}. */
    private static byte[] hmac(byte[] key, byte[] message, int end, int length) {
        byte[] input = Arrays.copyOf(message, end);
        input[2] = (byte) (length >>> 8);
        input[3] = (byte) length;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    private static int crc(byte[] message, int end, int length) {
        byte[] input = Arrays.copyOf(message, end);
        input[2] = (byte) (length >>> 8);
        input[3] = (byte) length;
        CRC32 crc = new CRC32();
        crc.update(input);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }
}
