package p2pedge.media.demo;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Locale;

/**
 * The demo stream's picture in I420: scrolling colour bars, a bouncing white box, a black band with the frame
 * counter, the UTC wall clock and a label in large letters, and the frame number as a strip of 32 black/white
 * blocks along the bottom that survives lossy coding, so tests can tell which frame a viewer decoded.
 *
 * <p>The picture is composed in private heap planes and copied out row by row, so rendering needs no
 * per-pixel buffer calls. Instances are therefore stateful; {@link #render} is synchronized.
 */
public final class TestPattern {

    private static final int MIN_SIZE = 64;
    private static final int BITS = 32;
    private static final int DAY_MILLIS = 86_400_000;

    private static final byte BLACK = 16;
    private static final byte WHITE = (byte) 235;
    private static final byte GREY = (byte) 128;
    private static final byte NEUTRAL = (byte) 128;

    /** BT.601 limited range Y, U, V of 100% white, yellow, cyan, green, magenta, red, blue. */
    private static final int[][] BARS = {
            {235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34},
            {106, 202, 222}, {81, 90, 240}, {41, 240, 110}};

    private final int width;
    private final int height;
    private final int chromaWidth;
    private final int chromaHeight;
    private final int scale;
    private final int block;
    private final int stripTop;
    private final int box;

    private final byte[] lumaPlane;
    private final byte[] uPlane;
    private final byte[] vPlane;
    // Two periods of the bar pattern, so a scrolled row is a single arraycopy from offset `shift`.
    private final byte[] barY;
    private final byte[] barU;
    private final byte[] barV;
    private final char[] text = new char[32];

    public TestPattern(int width, int height) {
        if (width < MIN_SIZE || height < MIN_SIZE || (width & 1) != 0 || (height & 1) != 0) {
            throw new IllegalArgumentException(
                    "test pattern size must be even and at least " + MIN_SIZE + "x" + MIN_SIZE + ", got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.chromaWidth = (width + 1) / 2;
        this.chromaHeight = (height + 1) / 2;
        this.scale = Math.max(2, height / 90);
        this.block = blockSize(width);
        this.stripTop = height - 2 * block;
        this.box = Math.max(2, (height / 8) & ~1);
        this.lumaPlane = new byte[width * height];
        this.uPlane = new byte[chromaWidth * chromaHeight];
        this.vPlane = new byte[chromaWidth * chromaHeight];
        this.barY = new byte[2 * width];
        this.barU = new byte[2 * chromaWidth];
        this.barV = new byte[2 * chromaWidth];
        for (int x = 0; x < barY.length; x++) {
            barY[x] = (byte) BARS[barAt(x % width)][0];
        }
        for (int cx = 0; cx < barU.length; cx++) {
            int[] colour = BARS[barAt((2 * cx) % width)];
            barU[cx] = (byte) colour[1];
            barV[cx] = (byte) colour[2];
        }
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /**
     * Renders frame number {@code frame} (0-based) into the three planes with absolute puts; positions and limits
     * are left alone. {@code label} is a short text line, may be null. {@code wallClockMillis} is shown as
     * HH:MM:SS.mmm UTC.
     */
    public synchronized void render(long frame, long wallClockMillis, String label,
                                    ByteBuffer y, int strideY, ByteBuffer u, int strideU, ByteBuffer v, int strideV) {
        checkPlane("Y", y, strideY, width, height);
        checkPlane("U", u, strideU, chromaWidth, chromaHeight);
        checkPlane("V", v, strideV, chromaWidth, chromaHeight);

        // Bars scroll left by 4 luma (2 chroma) pixels a frame; width is even, so the shift is too.
        int shift = (int) (Math.floorMod(frame, (long) width) * 4 % width);
        for (int row = 0; row < height; row++) {
            System.arraycopy(barY, shift, lumaPlane, row * width, width);
        }
        for (int row = 0; row < chromaHeight; row++) {
            System.arraycopy(barU, shift / 2, uPlane, row * chromaWidth, chromaWidth);
            System.arraycopy(barV, shift / 2, vPlane, row * chromaWidth, chromaWidth);
        }

        int lines = label == null ? 2 : 3;
        int bandTop = even(2 * scale);
        int bandBottom = Math.min(height, bandTop + even(lines * 9 * scale + 2 * scale));

        // The box bounces between the text band and the frame number strip; even coordinates keep chroma aligned.
        int boxTop = bandBottom;
        int boxRange = stripTop - box - bandBottom;
        if (boxRange < 0) {
            boxTop = 0;
            boxRange = height - box;
        }
        int bx = 2 * bounce(frame, Math.max(2, width / 160), (width - box) / 2);
        int by = boxTop + 2 * bounce(frame, Math.max(1, height / 180), boxRange / 2);
        // A black rim keeps the box visible over the white bar.
        int rim = even(Math.max(2, box / 10));
        fill(bx - rim, by - rim, box + 2 * rim, box + 2 * rim, BLACK);
        fill(bx, by, box, box, WHITE);

        grain(frame, bandBottom, stripTop);

        fill(0, bandTop, width, bandBottom - bandTop, BLACK);
        int textTop = bandTop + 2 * scale;
        drawLine(text, frameText(frame), textTop);
        drawLine(text, clockText(wallClockMillis), textTop + 9 * scale);
        if (label != null) {
            String upper = label.toUpperCase(Locale.ROOT);
            int n = Math.min(upper.length(), text.length);
            upper.getChars(0, n, text, 0);
            drawLine(text, n, textTop + 18 * scale);
        }

        // Frame number strip, most significant bit first, half a block of grey above and below the blocks.
        fill(0, stripTop, width, height - stripTop, GREY);
        int left = (width - BITS * block) / 2;
        int blocksTop = stripTop + block / 2;
        for (int bit = 0; bit < BITS; bit++) {
            boolean one = ((frame >>> (BITS - 1 - bit)) & 1) != 0;
            fillLuma(left + bit * block, blocksTop, block, block, one ? WHITE : BLACK);
        }

        copyOut(lumaPlane, width, height, y, strideY);
        copyOut(uPlane, chromaWidth, chromaHeight, u, strideU);
        copyOut(vPlane, chromaWidth, chromaHeight, v, strideV);
    }

    /**
     * Light luma noise that changes every frame, between the text band and the strip: like a camera's sensor
     * noise it makes the encoder spend its bitrate, so the demo stream costs what real video costs on the wire.
     */
    private void grain(long frame, int top, int bottom) {
        long state = frame * 0x9E3779B97F4A7C15L + 1;
        for (int row = Math.max(0, top); row < Math.min(height, bottom); row++) {
            int at = row * width;
            for (int x = 0; x < width; x += 8, at += 8) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                long bits = state;
                for (int i = 0; i < 8 && x + i < width; i++, bits >>>= 8) {
                    int luma = (lumaPlane[at + i] & 0xFF) + (int) (bits & 0x0F) - 8;
                    lumaPlane[at + i] = (byte) Math.max(16, Math.min(235, luma));
                }
            }
        }
    }

    /**
     * Reads the frame number back out of a decoded picture of the given size: averages the centre of each of the
     * 32 blocks and thresholds at 128, so it tolerates the ringing and blur of lossy coding.
     */
    public static long decodeFrameNumber(ByteBuffer y, int strideY, int width, int height) {
        int block = blockSize(width);
        if (block < 1 || height < 2 * block || strideY < width) {
            throw new IllegalArgumentException("picture too small for a frame number: " + width + "x" + height);
        }
        int left = (width - BITS * block) / 2;
        int blocksTop = height - 2 * block + block / 2;
        int side = Math.max(1, block / 2);
        int offset = (block - side) / 2;
        long value = 0;
        for (int bit = 0; bit < BITS; bit++) {
            int x0 = left + bit * block + offset;
            int sum = 0;
            for (int row = blocksTop + offset; row < blocksTop + offset + side; row++) {
                int base = row * strideY + x0;
                for (int x = 0; x < side; x++) {
                    sum += y.get(base + x) & 0xFF;
                }
            }
            value = (value << 1) | (sum >= 128 * side * side ? 1 : 0);
        }
        return value;
    }

    /** 1/40 of the width, at least 4, but narrow pictures (under 128 pixels) shrink it so all 32 blocks fit. */
    private static int blockSize(int width) {
        return Math.min(Math.max(4, width / 40), width / BITS);
    }

    private static int even(int n) {
        return (n + 1) & ~1;
    }

    /** Triangle wave: position in [0, range] after {@code frame} steps of {@code speed}. */
    private static int bounce(long frame, int speed, int range) {
        if (range <= 0) {
            return 0;
        }
        int period = 2 * range;
        int m = (int) (Math.floorMod(frame, (long) period) * speed % period);
        return m <= range ? m : period - m;
    }

    private int barAt(int x) {
        return x * BARS.length / width;
    }

    private static void checkPlane(String name, ByteBuffer plane, int stride, int w, int h) {
        if (stride < w || plane.capacity() < (long) (h - 1) * stride + w) {
            throw new IllegalArgumentException(name + " plane too small: stride " + stride
                    + ", capacity " + plane.capacity() + " for " + w + "x" + h);
        }
    }

    private static void copyOut(byte[] plane, int w, int h, ByteBuffer dst, int stride) {
        if (stride == w) {
            dst.put(0, plane, 0, w * h);
            return;
        }
        for (int row = 0; row < h; row++) {
            dst.put(row * stride, plane, row * w, w);
        }
    }

    /** Fills a rectangle with a grey level: the given luma, neutral chroma. */
    private void fill(int x0, int y0, int w, int h, byte luma) {
        fillLuma(x0, y0, w, h, luma);
        int cx0 = Math.max(0, x0) / 2;
        int cx1 = Math.min(chromaWidth, (x0 + w + 1) / 2);
        int cy1 = Math.min(chromaHeight, (y0 + h + 1) / 2);
        if (cx1 <= cx0) {
            return;
        }
        for (int row = Math.max(0, y0) / 2; row < cy1; row++) {
            Arrays.fill(uPlane, row * chromaWidth + cx0, row * chromaWidth + cx1, NEUTRAL);
            Arrays.fill(vPlane, row * chromaWidth + cx0, row * chromaWidth + cx1, NEUTRAL);
        }
    }

    private void fillLuma(int x0, int y0, int w, int h, byte luma) {
        int x1 = Math.min(width, x0 + w);
        int y1 = Math.min(height, y0 + h);
        x0 = Math.max(0, x0);
        if (x1 <= x0) {
            return;
        }
        for (int row = Math.max(0, y0); row < y1; row++) {
            Arrays.fill(lumaPlane, row * width + x0, row * width + x1, luma);
        }
    }

    /** Draws {@code chars[0, n)} centred, or from the left margin and clipped when too wide. */
    private void drawLine(char[] chars, int n, int top) {
        int advance = 6 * scale;
        int x0 = Math.max(scale, (width - (n * advance - scale)) / 2);
        for (int i = 0; i < n; i++) {
            long glyph = Font.glyph(chars[i]);
            int gx = x0 + i * advance;
            if (gx >= width) {
                break;
            }
            for (int bit = 0; glyph != 0 && bit < 35; bit++) {
                if ((glyph >>> (34 - bit) & 1) != 0) {
                    fillLuma(gx + (bit % 5) * scale, top + (bit / 5) * scale, scale, scale, WHITE);
                }
            }
        }
    }

    /** Writes "FRAME " and at least six digits into {@link #text}; returns the length. */
    private int frameText(long frame) {
        "FRAME ".getChars(0, 6, text, 0);
        String digits = Long.toString(frame); // one tiny string a frame; negative frames keep their '-'
        int pad = Math.max(0, 6 - digits.length());
        Arrays.fill(text, 6, 6 + pad, '0');
        int n = Math.min(digits.length(), text.length - 6 - pad);
        digits.getChars(0, n, text, 6 + pad);
        return 6 + pad + n;
    }

    /** Writes HH:MM:SS.mmm (UTC) into {@link #text}; returns the length. */
    private int clockText(long wallClockMillis) {
        int ms = (int) Math.floorMod(wallClockMillis, (long) DAY_MILLIS);
        int seconds = ms / 1000;
        two(0, seconds / 3600);
        text[2] = ':';
        two(3, seconds / 60 % 60);
        text[5] = ':';
        two(6, seconds % 60);
        text[8] = '.';
        text[9] = (char) ('0' + ms % 1000 / 100);
        two(10, ms % 100);
        return 12;
    }

    private void two(int at, int value) {
        text[at] = (char) ('0' + value / 10);
        text[at + 1] = (char) ('0' + value % 10);
    }

    /** 5x7 bitmap font: 35 bits per glyph, rows top to bottom, most significant bit first; unknown chars are blank. */
    private static final class Font {
        private static final String[] DEFINITIONS = {
                "0 01110 10001 10011 10101 11001 10001 01110", "1 00100 01100 00100 00100 00100 00100 01110",
                "2 01110 10001 00001 00010 00100 01000 11111", "3 11110 00001 00001 01110 00001 00001 11110",
                "4 00010 00110 01010 10010 11111 00010 00010", "5 11111 10000 11110 00001 00001 10001 01110",
                "6 00110 01000 10000 11110 10001 10001 01110", "7 11111 00001 00010 00100 01000 01000 01000",
                "8 01110 10001 10001 01110 10001 10001 01110", "9 01110 10001 10001 01111 00001 00010 01100",
                ": 00000 01100 01100 00000 01100 01100 00000", ". 00000 00000 00000 00000 00000 01100 01100",
                "/ 00001 00010 00010 00100 01000 01000 10000", "- 00000 00000 00000 11111 00000 00000 00000",
                "_ 00000 00000 00000 00000 00000 00000 11111",
                "A 01110 10001 10001 11111 10001 10001 10001", "B 11110 10001 10001 11110 10001 10001 11110",
                "C 01110 10001 10000 10000 10000 10001 01110", "D 11110 10001 10001 10001 10001 10001 11110",
                "E 11111 10000 10000 11110 10000 10000 11111", "F 11111 10000 10000 11110 10000 10000 10000",
                "G 01110 10001 10000 10111 10001 10001 01111", "H 10001 10001 10001 11111 10001 10001 10001",
                "I 01110 00100 00100 00100 00100 00100 01110", "J 00111 00010 00010 00010 00010 10010 01100",
                "K 10001 10010 10100 11000 10100 10010 10001", "L 10000 10000 10000 10000 10000 10000 11111",
                "M 10001 11011 10101 10101 10001 10001 10001", "N 10001 10001 11001 10101 10011 10001 10001",
                "O 01110 10001 10001 10001 10001 10001 01110", "P 11110 10001 10001 11110 10000 10000 10000",
                "Q 01110 10001 10001 10001 10101 10010 01101", "R 11110 10001 10001 11110 10100 10010 10001",
                "S 01111 10000 10000 01110 00001 00001 11110", "T 11111 00100 00100 00100 00100 00100 00100",
                "U 10001 10001 10001 10001 10001 10001 01110", "V 10001 10001 10001 10001 10001 01010 00100",
                "W 10001 10001 10001 10101 10101 10101 01010", "X 10001 10001 01010 00100 01010 10001 10001",
                "Y 10001 10001 01010 00100 00100 00100 00100", "Z 11111 00001 00010 00100 01000 10000 11111"};
        private static final long[] GLYPHS = new long[128];

        static {
            for (String definition : DEFINITIONS) {
                GLYPHS[definition.charAt(0)] = Long.parseLong(definition.substring(2).replace(" ", ""), 2);
            }
        }

        static long glyph(char c) {
            return c < GLYPHS.length ? GLYPHS[c] : 0;
        }
    }
}
