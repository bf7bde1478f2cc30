package p2pedge.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP address literals from peers, parsed without ever resolving a name (InetAddress would for anything else). */
public final class IpLiteral {

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private IpLiteral() {
    }

    /** The address {@code text} spells (dotted-quad IPv4, or IPv6 with optional brackets and zone), or null. */
    public static InetAddress parse(String text) {
        if (text == null) {
            return null;
        }
        String bare = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        int zone = bare.indexOf('%');
        if (zone >= 0) {
            bare = bare.substring(0, zone);
        }
        boolean v4 = IPV4.matcher(bare).matches();
        // With a ':' InetAddress parses an IPv6 literal or fails: it never falls back to DNS.
        boolean v6 = bare.indexOf(':') >= 0 && IPV6.matcher(bare).matches();
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(bare);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
