package p2pedge.media.rtc;

/**
 * One viewer's VP8 picture ids and TL0PICIDX (RFC 7741 payload descriptor), run on across a change of the source
 * encoding it is fed from (a simulcast layer switch, a publisher's new connection): each encoding numbers its
 * pictures on its own, and a receiver's reference tracking expects the numbers of one stream. Rewrites the viewer's
 * own copy of each packet in place; a packet whose descriptor is cut short is left as it is. Not thread-safe.
 */
public final class Vp8Numbering {

    private int pictureDelta;
    private int tl0Delta;
    private int lastPicture = -1;
    private int lastTl0 = -1;
    private boolean rebase;

    /** The next packet comes from another encoding: its numbers continue from the last ones this viewer got. */
    public void newSource() {
        rebase = true;
    }

    /** Renumbers the packet {@code rtp[0, length)} in place. */
    public void rewrite(byte[] rtp, int length) {
        int at = HeaderExtensions.blockEnd(rtp, length);
        if (at < 0 || at + 1 >= length || (rtp[at] & 0x80) == 0) {
            return; // no extended control bits: no picture id, no TL0PICIDX
        }
        int flags = rtp[at + 1] & 0xFF;
        int i = at + 2;
        int pictureAt = -1;
        boolean longId = false;
        if ((flags & 0x80) != 0) {
            if (i >= length) {
                return;
            }
            pictureAt = i;
            longId = (rtp[i] & 0x80) != 0;
            i += longId ? 2 : 1;
        }
        int tl0At = -1;
        if ((flags & 0x40) != 0) {
            tl0At = i;
            i++;
        }
        if (i > length) {
            return;
        }
        int picture = pictureAt < 0 ? -1
                : longId ? ((rtp[pictureAt] & 0x7F) << 8) | (rtp[pictureAt + 1] & 0xFF) : rtp[pictureAt] & 0x7F;
        int tl0 = tl0At < 0 ? -1 : rtp[tl0At] & 0xFF;
        if (rebase) {
            rebase = false;
            if (picture >= 0 && lastPicture >= 0) {
                pictureDelta = lastPicture + 1 - picture;
            }
            if (tl0 >= 0 && lastTl0 >= 0) {
                tl0Delta = lastTl0 + 1 - tl0;
            }
        }
        if (picture >= 0) {
            int out = (picture + pictureDelta) & (longId ? 0x7FFF : 0x7F);
            if (longId) {
                rtp[pictureAt] = (byte) (0x80 | out >>> 8);
                rtp[pictureAt + 1] = (byte) out;
            } else {
                rtp[pictureAt] = (byte) out;
            }
            lastPicture = newest(out, lastPicture, longId ? 0x7FFF : 0x7F);
        }
        if (tl0 >= 0) {
            int out = (tl0 + tl0Delta) & 0xFF;
            rtp[tl0At] = (byte) out;
            lastTl0 = newest(out, lastTl0, 0xFF);
        }
    }

    /** The later of two numbers modulo {@code mask + 1} (a late packet's picture does not move the numbering back). */
    private static int newest(int number, int last, int mask) {
        return last < 0 || ((number - last) & mask) < (mask + 1) / 2 ? number : last;
    }
}
