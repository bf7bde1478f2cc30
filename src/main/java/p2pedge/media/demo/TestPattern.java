package p2pedge.media.demo;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Renders the demo stream's picture in I420: scrolling colour bars, a sweeping box, the frame counter and
 * the wall clock in large digits, and the frame number as a 32-block binary strip along the bottom that
 * survives lossy coding, so tests can read which frame a viewer decoded.
 */
public final class TestPattern {

    /** BT.601 limited range Y, U, V of white, yellow, cyan, green, magenta, red, blue. */
    private static final int[][] BARS = {
            {235, 128, 128}, {210, 16, 146}, {170, 166, 16}, {145, 54, 34},
            {106, 202, 222}, {81, 90, 240}, {41, 240, 110}};
    private static final int BITS = 32;
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final int width;
    private final int height;
    private final int block;
    private final int stripTop;
    private final int scale;

    public TestPattern(int width, int height) {
        // The frame number strip needs 32 blocks of at least 4 pixels.
        if (width < 160 || height < 64 || (width & 1) != 0 || (height & 1) != 0) {
            throw new IllegalArgumentException("test pattern size must be even and at least 160x64, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
        this.block = Math.max(4, width / 40);
        this.stripTop = height - 2 * block;
        this.scale = Math.max(2, height / 90);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public void render(long frame, long wallClockMillis, String label,
                       ByteBuffer y, int strideY, ByteBuffer u, int strideU, ByteBuffer v, int strideV) {
        int shift = (int) ((frame * 4) % width);
        int chromaWidth = (width + 1) / 2;
        int chromaHeight = (height + 1) / 2;
        // Bars, scrolling left by 4 luma pixels a frame.
        for (int row = 0; row < height; row++) {
            int base = row * strideY;
            for (int x = 0; x < width; x++) {
                y.put(base + x, (byte) BARS[bar(x + shift)][0]);
            }
        }
        for (int row = 0; row < chromaHeight; row++) {
            for (int x = 0; x < chromaWidth; x++) {
                int[] colour = BARS[bar(2 * x + shift)];
                u.put(row * strideU + x, (byte) colour[1]);
                v.put(row * strideV + x, (byte) colour[2]);
            }
        }
        // A white box sweeping across the middle, one full pass every 4 seconds at 30 fps.
        int box = height / 8;
        int travel = width - box;
        int pos = (int) (frame % 120) * travel / 119;
        fill(y, strideY, u, strideU, v, strideV, pos, height / 2 - box / 2, box, box, 235);
        // Text band: frame counter, clock, label.
        String[] lines = {
                String.format(Locale.ROOT, "FRAME %06d", frame % 1_000_000),
                CLOCK.format(Instant.ofEpochMilli(wallClockMillis)),
                label == null ? "" : label.toUpperCase(Locale.ROOT)};
        int glyphW = 6 * scale;
        int lineH = 9 * scale;
        int bandH = lines.length * lineH + 2 * scale;
        fill(y, strideY, u, strideU, v, strideV, 0, scale, width, bandH, 16);
        for (int i = 0; i < lines.length; i++) {
            int textWidth = lines[i].length() * glyphW;
            drawText(y, strideY, lines[i], Math.max(scale, (width - textWidth) / 2), 2 * scale + i * lineH);
        }
        // Frame number strip on a mid-grey band, most significant bit first.
        fill(y, strideY, u, strideU, v, strideV, 0, stripTop - block / 2, width, height - stripTop + block / 2, 128);
        int left = (width - BITS * block) / 2;
        for (int bit = 0; bit < BITS; bit++) {
            boolean one = ((frame >>> (BITS - 1 - bit)) & 1) != 0;
            fillLuma(y, strideY, left + bit * block, stripTop, block, block, one ? 235 : 16);
        }
    }

    /** Reads the frame number back out of a (possibly lossy) decoded picture of the same size. */
    public static long decodeFrameNumber(ByteBuffer y, int strideY, int width, int height) {
        int block = Math.max(4, width / 40);
        int top = height - 2 * block;
        int left = (width - BITS * block) / 2;
        long value = 0;
        for (int bit = 0; bit < BITS; bit++) {
            int cx = left + bit * block + block / 2;
            int cy = top + block / 2;
            int luma = y.get(cy * strideY + cx) & 0xFF;
            value = (value << 1) | (luma >= 128 ? 1 : 0);
        }
        return value;
    }

    private int bar(int x) {
        return (x % width) * BARS.length / width;
    }

    private void fill(ByteBuffer y, int strideY, ByteBuffer u, int strideU, ByteBuffer v, int strideV,
                      int x0, int y0, int w, int h, int luma) {
        fillLuma(y, strideY, x0, y0, w, h, luma);
        int cx0 = Math.max(0, x0 / 2);
        int cy0 = Math.max(0, y0 / 2);
        int cx1 = Math.min((width + 1) / 2, (x0 + w + 1) / 2);
        int cy1 = Math.min((height + 1) / 2, (y0 + h + 1) / 2);
        for (int row = cy0; row < cy1; row++) {
            for (int x = cx0; x < cx1; x++) {
                u.put(row * strideU + x, (byte) 128);
                v.put(row * strideV + x, (byte) 128);
            }
        }
    }

    private void fillLuma(ByteBuffer y, int strideY, int x0, int y0, int w, int h, int luma) {
        int x1 = Math.min(width, x0 + w);
        int y1 = Math.min(height, y0 + h);
        for (int row = Math.max(0, y0); row < y1; row++) {
            int base = row * strideY;
            for (int x = Math.max(0, x0); x < x1; x++) {
                y.put(base + x, (byte) luma);
            }
        }
    }

    private void drawText(ByteBuffer y, int strideY, String text, int x0, int y0) {
        for (int i = 0; i < text.length(); i++) {
            long glyph = Font.glyph(text.charAt(i));
            for (int row = 0; row < 7; row++) {
                for (int col = 0; col < 5; col++) {
                    if (((glyph >>> (34 - (row * 5 + col))) & 1) != 0) {
                        fillLuma(y, strideY, x0 + (i * 6 + col) * scale, y0 + row * scale, scale, scale, 235);
                    }
                }
            }
        }
    }

    /** A 5x7 bitmap font: 35 bits per glyph, rows top to bottom, most significant bit first. */
    private static final class Font {
        private static final String CHARS = "0123456789:./-_ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        private static final String[] ROWS = {
                "01110 10001 10011 10101 11001 10001 01110", "00100 01100 00100 00100 00100 00100 01110",
                "01110 10001 00001 00010 00100 01000 11111", "11111 00010 00100 00010 00001 10001 01110",
                "00010 00110 01010 10010 11111 00010 00010", "11111 10000 11110 00001 00001 10001 01110",
                "00110 01000 10000 11110 10001 10001 01110", "11111 00001 00010 00100 01000 01000 01000",
                "01110 10001 10001 01110 10001 10001 01110", "01110 10001 10001 01111 00001 00010 01100",
                "00000 01100 01100 00000 01100 01100 00000", "00000 00000 00000 00000 00000 01100 01100",
                "00001 00010 00010 00100 01000 01000 10000", "00000 00000 00000 11111 00000 00000 00000",
                "00000 00000 00000 00000 00000 00000 11111",
                "01110 10001 10001 11111 10001 10001 10001", "11110 10001 10001 11110 10001 10001 11110",
                "01110 10001 10000 10000 10000 10001 01110", "11110 10001 10001 10001 10001 10001 11110",
                "11111 10000 10000 11110 10000 10000 11111", "11111 10000 10000 11110 10000 10000 10000",
                "01110 10001 10000 10111 10001 10001 01111", "10001 10001 10001 11111 10001 10001 10001",
                "01110 00100 00100 00100 00100 00100 01110", "00111 00010 00010 00010 00010 10010 01100",
                "10001 10010 10100 11000 10100 10010 10001", "10000 10000 10000 10000 10000 10000 11111",
                "10001 11011 10101 10101 10001 10001 10001", "10001 10001 11001 10101 10011 10001 10001",
                "01110 10001 10001 10001 10001 10001 01110", "11110 10001 10001 11110 10000 10000 10000",
                "01110 10001 10001 10001 10101 10010 01101", "11110 10001 10001 11110 10100 10010 10001",
                "01111 10000 10000 01110 00001 00001 11110", "11111 00100 00100 00100 00100 00100 00100",
                "10001 10001 10001 10001 10001 10001 01110", "10001 10001 10001 10001 10001 01010 00100",
                "10001 10001 10001 10101 10101 10101 01010", "10001 10001 01010 00100 01010 10001 10001",
                "10001 10001 01010 00100 00100 00100 00100", "11111 00001 00010 00100 01000 10000 11111"};
        private static final long[] GLYPHS = new long[CHARS.length()];

        static {
            for (int i = 0; i < ROWS.length; i++) {
                GLYPHS[i] = Long.parseLong(ROWS[i].replace(" ", ""), 2);
            }
        }

        static long glyph(char c) {
            int index = CHARS.indexOf(c);
            return index < 0 ? 0 : GLYPHS[index];
        }
    }
}
