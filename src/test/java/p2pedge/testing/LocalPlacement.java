package p2pedge.testing;

import p2pedge.p2p.HostEntry;
import p2pedge.p2p.LocalHostRegistry;
import p2pedge.p2p.Placement;

import java.util.Optional;

/**
 * A placement request executed against one edge's registry, which answers at once, in the order the classification
 * verticle executes it: the old slot given back, a host reserved, the plan decided, a new host registered.
 */
public final class LocalPlacement {

    private LocalPlacement() {
    }

    public static Placement.Plan execute(Placement placement, LocalHostRegistry registry, Placement.Request request) {
        if (request.releaseFrom() != 0) {
            registry.release(request.releaseFrom(), request.session());
        }
        Optional<HostEntry> host = request.search().flatMap(s -> registry.reserve(s.stream(), s.family(), s.client(),
                s.clientEdge(), s.excluded(), s.accepts(), s.score()).result());
        Placement.Plan plan = placement.decide(request, host);
        if (plan instanceof Placement.Host h && h.register() != null) {
            registry.register(h.register());
        }
        return plan;
    }
}
