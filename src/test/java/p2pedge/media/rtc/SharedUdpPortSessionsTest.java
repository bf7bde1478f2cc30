package p2pedge.media.rtc;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import p2pedge.testing.OnContext;
import p2pedge.testing.Waits;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The port owns its session table: a session is answered from {@code open} to {@code close}, close forgets what
 * the port kept for it and may be repeated, and a ufrag in use cannot be opened twice. One real socket on
 * loopback; the port's clock is the test's.
 */
@ExtendWith(VertxExtension.class)
class SharedUdpPortSessionsTest {

    private static final String UFRAG = "sess1";
    private static final String PASSWORD = "sessionpassword012345678";

    private final BcTlsCrypto crypto = new BcTlsCrypto(new SecureRandom());
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private Context context;
    private SharedUdpPort port;
    private InetSocketAddress edge;
    private DatagramSocket player;

    @BeforeEach
    void listen(Vertx vertx) throws Exception {
        context = vertx.getOrCreateContext();
        port = new SharedUdpPort(vertx, crypto, DtlsCertificate.generate(crypto), SharedUdpPort.Limits.DEFAULTS, nanos::get);
        // listen takes the context it is called on as the port's: the test's own, where it then opens and closes.
        edge = new InetSocketAddress("127.0.0.1", OnContext.call(context, () -> port.listen("127.0.0.1", 0)));
        player = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void close() throws Exception {
        player.close();
        OnContext.call(context, () -> port.close());
    }

    private static MediaSession session(String password) {
        return new MediaSession(UFRAG, password, "sha-256 00", keys -> { });
    }

    /** A nominating check for {@link #UFRAG}, with the integrity of {@code password}. */
    private void check(String password) throws Exception {
        byte[] check = IceChecks.nominating(UFRAG, password);
        player.send(new DatagramPacket(check, check.length, edge));
    }

    /** Whether a check's success response comes within {@code millis}. */
    private boolean answered(int millis) throws Exception {
        player.setSoTimeout(millis);
        DatagramPacket response = new DatagramPacket(new byte[1500], 1500);
        try {
            player.receive(response);
        } catch (SocketTimeoutException e) {
            return false;
        }
        return StunMessage.parse(response.getData(), response.getLength()).type() == StunMessage.BINDING_SUCCESS;
    }

    private boolean answered() throws Exception {
        return answered(5_000);
    }

    /** Nothing came back: asked once the port has counted the check as dropped, so a short wait suffices. */
    private boolean silent() throws Exception {
        return !answered(300);
    }

    /** Waits until the port counted a drop for {@code reason} {@code count} times (the datagram was handled). */
    private void awaitDropped(String reason, long count) throws Exception {
        Waits.until(() -> port.dropped().getOrDefault(reason, 0L) >= count, 5_000, "a drop for " + reason);
        assertEquals(count, port.dropped().getOrDefault(reason, 0L), port.dropped().toString());
    }

    @Test
    void anOpenSessionsChecksAreAnsweredAndAClosedOnesAreNot() throws Exception {
        OnContext.run(context, () -> port.open(session(PASSWORD)));
        check(PASSWORD);
        assertTrue(answered(), "an open session's check is answered");
        InetSocketAddress me = new InetSocketAddress("127.0.0.1", player.getLocalPort());
        assertEquals(UFRAG, port.sessionOf(me).orElseThrow());

        OnContext.run(context, () -> port.close(UFRAG));
        assertEquals(0, port.sessionCount());
        assertTrue(port.sessionOf(me).isEmpty(), "the session's addresses are forgotten");
        assertTrue(port.addressOf(UFRAG).isEmpty());
        check(PASSWORD);
        awaitDropped("stun: unknown_ufrag", 1);
        assertTrue(silent(), "a closed session's check gets silence");
        assertEquals(1, port.checksAnswered());
    }

    /** The session hears of its peer's first answered check once, on the port's context; a forged one is not a check. */
    @Test
    void aSessionIsToldOfItsFirstAnsweredCheckOnce() throws Exception {
        java.util.concurrent.atomic.AtomicInteger told = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean onContext = new java.util.concurrent.atomic.AtomicBoolean(true);
        OnContext.run(context, () -> port.open(new MediaSession(UFRAG, PASSWORD, "sha-256 00", null, null, keys -> { },
                (kind, packet, receivedNanos) -> { }, () -> {
                    told.incrementAndGet();
                    onContext.compareAndSet(true, Vertx.currentContext() == context);
                })));
        check("not-the-password-at-all-000");
        awaitDropped("stun: bad_integrity", 1);
        assertEquals(0, told.get(), "a check without the session's credentials");
        for (int i = 0; i < 3; i++) {
            check(PASSWORD);
            assertTrue(answered());
        }
        assertEquals(1, told.get(), "told once, at the first");
        assertTrue(onContext.get(), "on the port's context");
    }

    @Test
    void closeIsIdempotentAndFreesTheUfrag() throws Exception {
        OnContext.run(context, () -> port.open(session(PASSWORD)));
        check(PASSWORD);
        assertTrue(answered());
        OnContext.run(context, () -> {
            port.close(UFRAG);
            port.close(UFRAG);
            port.close("never-opened");
        });
        assertEquals(0, port.sessionCount());

        OnContext.run(context, () -> port.open(session(PASSWORD)));
        assertEquals(1, port.sessionCount());
        check(PASSWORD);
        assertTrue(answered(), "a ufrag closed is free to be opened again");
    }

    @Test
    void aSecondOpenOfAUfragInUseIsRefusedAndTheFirstStays() throws Exception {
        OnContext.run(context, () -> port.open(session(PASSWORD)));
        String other = "anotherpassword012345678";
        assertThrows(IllegalStateException.class, () -> port.open(session(other)));
        assertEquals(1, port.sessionCount());
        check(other);
        awaitDropped("stun: bad_integrity", 1);
        assertTrue(silent(), "the refused session's credentials are not taken");
        check(PASSWORD);
        assertTrue(answered(), "the first session is still answered");
    }
}
