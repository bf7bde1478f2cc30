package p2pedge.signalling;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MessageAssemblerTest {

    private final List<String> seen = new ArrayList<>();
    private final MessageAssembler assembler = new MessageAssembler(10, new MessageAssembler.Sink() {
        @Override
        public void text(String message) {
            seen.add("text:" + message);
        }

        @Override
        public void binary() {
            seen.add("binary");
        }

        @Override
        public void tooLarge() {
            seen.add("too large");
        }
    });

    @Test
    void wholeAndFragmentedMessagesWithinTheLimitArriveWhole() {
        assembler.onFrame(WebSocketFrame.textFrame("0123456789", true));
        assembler.onFrame(WebSocketFrame.textFrame("ab", false));
        assembler.onFrame(WebSocketFrame.continuationFrame(Buffer.buffer("cd"), false));
        assembler.onFrame(WebSocketFrame.continuationFrame(Buffer.buffer("é"), true));
        assertEquals(List.of("text:0123456789", "text:abcdé"), seen);
    }

    @Test
    void theLimitCountsBytesNotCharacters() {
        assembler.onFrame(WebSocketFrame.textFrame("éééé", false));
        assembler.onFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ééé"), true));
        assertEquals(List.of("too large"), seen);
    }

    @Test
    void aMessageIsRefusedAsSoonAsItOutgrowsTheLimitAndNothingFollows() {
        assembler.onFrame(WebSocketFrame.textFrame("012345", false));
        assembler.onFrame(WebSocketFrame.continuationFrame(Buffer.buffer("6789X"), false));
        assembler.onFrame(WebSocketFrame.continuationFrame(Buffer.buffer("y"), true));
        assembler.onFrame(WebSocketFrame.textFrame("ok", true));
        assertEquals(List.of("too large"), seen);
    }

    @Test
    void binaryMessagesAreReportedOnceWhateverTheirFrames() {
        assembler.onFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[5]), false));
        assembler.onFrame(WebSocketFrame.continuationFrame(Buffer.buffer(new byte[50]), true));
        assembler.onFrame(WebSocketFrame.pingFrame(Buffer.buffer("p")));
        assembler.onFrame(WebSocketFrame.binaryFrame(Buffer.buffer(new byte[1]), true));
        assertEquals(List.of("binary", "binary"), seen);
    }
}
