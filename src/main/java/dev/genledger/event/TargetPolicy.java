package dev.genledger.event;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Which URLs webhooks may be sent to: http or https, a host and no credentials, and (unless
 * private targets are allowed) only public addresses, so that an admin token cannot turn the
 * service into a probe of the network it runs in. Checked when an endpoint is saved and again
 * before every attempt, against what the name resolves to then.
 * <p>
 * The attempt connects to the address that was checked, never to a second lookup of the name: a
 * name that answers a public address to the check and a loopback one to the connection (DNS
 * rebinding) would otherwise reach the inside. Plain http goes to the address itself with the
 * name in {@code Host}; https keeps the name, because the certificate must prove it, which an
 * internal server answering at a rebound address cannot.
 */
public final class TargetPolicy {

    /** Looks a host name up; the service uses the system resolver. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** Where an attempt goes: the URI to request and, for plain http, the {@code Host} it names. */
    public record Target(URI uri, String host) {
    }

    /** A URL that may not be sent to, and why. */
    public static final class Refused extends Exception {
        Refused(String why) {
            super(why, null, false, false);
        }
    }

    private final boolean allowPrivate;
    private final Resolver resolver;

    public TargetPolicy(boolean allowPrivate) {
        this(allowPrivate, InetAddress::getAllByName);
    }

    public TargetPolicy(boolean allowPrivate, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    /** Null when the URL is acceptable, otherwise why not. */
    public String refusal(String url) {
        try {
            target(url);
            return null;
        } catch (Refused e) {
            return e.getMessage();
        }
    }

    /** Where to send to, resolved once and checked. */
    public Target target(String url) throws Refused {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception e) {
            throw new Refused("not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new Refused("the scheme must be http or https");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw new Refused("the URL needs a host, and no user info or fragment");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(uri.getHost());
        } catch (UnknownHostException e) {
            throw new Refused("the host does not resolve");
        }
        if (addresses.length == 0) {
            throw new Refused("the host does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                if (isInternal(address)) {
                    throw new Refused("the host resolves to an internal address");
                }
            }
        }
        if (scheme.equals("https")) {
            return new Target(uri, null);
        }
        InetAddress pinned = addresses[0];
        String literal = pinned instanceof Inet6Address ? "[" + pinned.getHostAddress().replaceFirst("%.*", "") + "]"
                : pinned.getHostAddress();
        String port = uri.getPort() == -1 ? "" : ":" + uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new Target(URI.create("http://" + literal + port + path + query), uri.getRawAuthority());
    }

    static boolean isInternal(InetAddress a) {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            // unique local fc00::/7, and IPv4 mapped or compatible addresses judged as IPv4
            if ((b[0] & 0xfe) == 0xfc) {
                return true;
            }
            boolean v4Embedded = true;
            for (int i = 0; i < 10; i++) {
                v4Embedded &= b[i] == 0;
            }
            if (v4Embedded && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0))) {
                try {
                    return isInternal(InetAddress.getByAddress(new byte[] { b[12], b[13], b[14], b[15] }));
                } catch (UnknownHostException impossible) {
                    return true;
                }
            }
            return false;
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return first == 0 // "this network"
                || (first == 100 && second >= 64 && second < 128) // carrier-grade NAT
                || (first == 192 && second == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                || (first == 198 && (second == 18 || second == 19)) // benchmarking
                || first >= 240; // reserved, broadcast
    }
}
