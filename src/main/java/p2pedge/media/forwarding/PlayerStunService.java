package p2pedge.media.forwarding;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import p2pedge.config.EdgeConfig;
import p2pedge.media.MediaApi;
import p2pedge.media.rtc.PlayerStun;
import p2pedge.media.rtc.SharedUdpPort;
import p2pedge.net.IpLiteral;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * STUN for this edge's players on the forwarding plane ({@link PlayerStun} on the shared port and a second port):
 * answers {@link MediaApi#STUN_ADMISSION}, {@link MediaApi#STUN_SERVERS} and {@link MediaApi#STUN_ANSWERS}. On the
 * media context.
 */
final class PlayerStunService {

    /** How far back the answers to an address count for its NAT mapping (a probe takes well under a second). */
    private static final long ANSWERS_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Vertx vertx;
    private final EdgeConfig.Stun config;
    private final PlayerStun stun;
    private final List<String> servers = new ArrayList<>();

    PlayerStunService(Vertx vertx, EdgeConfig.Stun config) {
        this.vertx = vertx;
        this.config = config;
        this.stun = new PlayerStun(config.requestsPerSecond(), System::nanoTime);
    }

    /** Starts answering on {@code port} and a second port; {@code address} is the one players reach the edge by. */
    Future<Void> start(SharedUdpPort port, String address, int mediaPort) {
        if (!config.enabled()) {
            return Future.succeededFuture();
        }
        return port.answerPlayerStun(stun, "0.0.0.0", config.port()).map(second -> {
            String host = address.indexOf(':') >= 0 ? "[" + address + "]" : address;
            servers.add("stun:" + host + ":" + mediaPort);
            servers.add("stun:" + host + ":" + second);
            return null;
        });
    }

    List<MessageConsumer<?>> listen() {
        var bus = vertx.eventBus();
        return List.of(
                bus.<JsonObject>localConsumer(MediaApi.STUN_ADMISSION, m -> address(m.body()).ifPresent(a -> {
                    if (m.body().getBoolean("open", false)) {
                        stun.admit(a);
                    } else {
                        stun.release(a);
                    }
                })),
                bus.localConsumer(MediaApi.STUN_SERVERS, m -> m.reply(new JsonArray(List.copyOf(servers)))),
                bus.<JsonObject>localConsumer(MediaApi.STUN_ANSWERS, m -> m.reply(new JsonArray(address(m.body())
                        .map(a -> stun.answered(a, System.nanoTime() - ANSWERS_WINDOW_NANOS).stream()
                                .map(answer -> new MediaApi.StunAnswer(answer.serverPort(), answer.port()).toJson()).toList())
                        .orElse(List.of())))));
    }

    /** The address in a message from signalling: an IP literal (the socket's remote address), never resolved. */
    private static Optional<InetAddress> address(JsonObject body) {
        return Optional.ofNullable(IpLiteral.parse(body == null ? null : body.getString("address")));
    }

    long answers() {
        return stun.answers();
    }

    int admittedAddresses() {
        return stun.admittedAddresses();
    }
}
