package p2pedge.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP address literals from peers, parsed without ever resolving a name (InetAddress would for anything else). */
public final class IpLiteral {

    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");
    private static final long NOT_IPV4 = -1;

    private IpLiteral() {
    }

    /** The address {@code text} spells (dotted-quad IPv4, or IPv6 with optional brackets and zone), or null. */
    public static InetAddress parse(String text) {
        String bare = bare(text);
        return bare == null ? null : parseBare(bare, ipv4(bare));
    }

    /** {@link #parse} of a text already without brackets and zone, whose {@link #ipv4} bits are {@code v4}. */
    private static InetAddress parseBare(String bare, long v4) {
        try {
            if (v4 != NOT_IPV4) {
                return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4});
            }
            // With a ':' InetAddress parses an IPv6 literal or fails: it never falls back to DNS.
            return bare.indexOf(':') >= 0 && IPV6.matcher(bare).matches() ? InetAddress.getByName(bare) : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * Whether {@code text} spells a loopback address. Placement asks it of every open host it ranks, so an IPv4 literal
     * (every player the edge sees over IPv4) is judged from its text, with nothing allocated.
     */
    public static boolean isLoopback(String text) {
        String bare = bare(text);
        if (bare == null) {
            return false;
        }
        long v4 = ipv4(bare);
        if (v4 != NOT_IPV4) {
            return v4 >>> 24 == 127;
        }
        InetAddress parsed = parseBare(bare, v4);
        return parsed != null && parsed.isLoopbackAddress();
    }

    /** {@code text} without IPv6 brackets and zone, or null for null. */
    private static String bare(String text) {
        if (text == null) {
            return null;
        }
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        int zone = bare.indexOf('%');
        return zone >= 0 ? bare.substring(0, zone) : bare;
    }

    /** The 32 bits of a dotted quad (four decimal octets 0-255, no leading zeros), or NOT_IPV4. */
    private static long ipv4(String s) {
        int length = s.length();
        long bits = 0;
        int i = 0;
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (i >= length || s.charAt(i) != '.') {
                    return NOT_IPV4;
                }
                i++;
            }
            int start = i;
            int value = 0;
            while (i < length && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + s.charAt(i) - '0';
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 1 && s.charAt(start) == '0' || value > 255) {
                return NOT_IPV4;
            }
            bits = bits << 8 | value;
        }
        return i == length ? bits : NOT_IPV4;
    }
}
