package p2pedge.signalling;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;

/** Random positive 31-bit session ids, unique among live sessions (0 is the edge itself). Event-loop confined. */
final class SessionIds {

    private final SecureRandom random = new SecureRandom();
    private final Set<Long> live = new HashSet<>();

    long allocate() {
        while (true) {
            long id = random.nextInt(Integer.MAX_VALUE - 1) + 1L;
            if (live.add(id)) {
                return id;
            }
        }
    }

    void release(long id) {
        live.remove(id);
    }
}
