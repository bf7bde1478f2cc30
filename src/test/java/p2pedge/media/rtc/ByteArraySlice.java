package p2pedge.media.rtc;

import org.jitsi.utils.ByteArrayBuffer;

import java.util.Arrays;

/**
 * jitsi-srtp's {@link ByteArrayBuffer} (a slice: array, offset, length) over a private copy of one packet with room
 * to grow: jitsi-srtp transforms in place and appends the auth tag, and jitsi-utils ships only the interface.
 */
final class ByteArraySlice implements ByteArrayBuffer {

    private byte[] buffer;
    private int offset;
    private int length;

    ByteArraySlice(byte[] packet, int extraRoom) {
        this.buffer = Arrays.copyOf(packet, packet.length + extraRoom);
        this.length = packet.length;
    }

    byte[] toArray() {
        return Arrays.copyOfRange(buffer, offset, offset + length);
    }

    @Override
    public byte[] getBuffer() {
        return buffer;
    }

    @Override
    public int getOffset() {
        return offset;
    }

    @Override
    public int getLength() {
        return length;
    }

    @Override
    public void setLength(int length) {
        this.length = length;
    }

    @Override
    public void setOffset(int offset) {
        this.offset = offset;
    }

    @Override
    public boolean isInvalid() {
        return false;
    }

    @Override
    public void readRegionToBuff(int off, int len, byte[] out) {
        System.arraycopy(buffer, offset + off, out, 0, len);
    }

    @Override
    public void grow(int howMuch) {
        if (offset + length + howMuch > buffer.length) {
            buffer = Arrays.copyOf(buffer, offset + length + howMuch);
        }
    }

    @Override
    public void append(byte[] data, int len) {
        grow(len);
        System.arraycopy(data, 0, buffer, offset + length, len);
        length += len;
    }

    @Override
    public void shrink(int len) {
        length = Math.max(0, length - len);
    }
}
