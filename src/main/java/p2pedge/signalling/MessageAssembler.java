package p2pedge.signalling;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

import java.nio.charset.StandardCharsets;

/**
 * Reassembles a player's messages from WebSocket frames under the protocol's size limit. A message is refused as
 * soon as it outgrows the limit, whether in one frame or in many: Vert.x's own aggregation would buffer up to its
 * limit and then drop the message without telling anyone. Confined to the socket's context.
 */
final class MessageAssembler {

    /** What the frames amount to. */
    interface Sink {
        void text(String message);

        void binary();

        void tooLarge();
    }

    private final int maxBytes;
    private final Sink sink;
    private Buffer text;
    private boolean binary;
    private boolean refused;

    MessageAssembler(int maxBytes, Sink sink) {
        this.maxBytes = maxBytes;
        this.sink = sink;
    }

    void onFrame(WebSocketFrame frame) {
        if (refused) {
            return;
        }
        if (frame.isText()) {
            text = Buffer.buffer();
            append(frame);
        } else if (frame.isBinary()) {
            text = null;
            binary = !frame.isFinal();
            if (frame.isFinal()) {
                sink.binary();
            }
        } else if (frame.isContinuation()) {
            if (text != null) {
                append(frame);
            } else if (binary && frame.isFinal()) {
                binary = false;
                sink.binary();
            }
        }
        // Ping, pong and close frames are handled by the socket itself.
    }

    private void append(WebSocketFrame frame) {
        if (text.length() + frame.binaryData().length() > maxBytes) {
            text = null;
            refused = true;
            sink.tooLarge();
            return;
        }
        text.appendBuffer(frame.binaryData());
        if (frame.isFinal()) {
            String message = text.toString(StandardCharsets.UTF_8);
            text = null;
            sink.text(message);
        }
    }
}
