package p2pedge.media;

import io.vertx.core.Future;

import java.util.Optional;

/**
 * Which edge a published (WHIP) stream lives on: one owner per name, cluster-wide when clustered, so a second
 * publisher of a live name is refused on any edge and a player on any edge can be served through a pull
 * from the owner. Configured (demo) streams are every edge's own and are not listed.
 */
public interface StreamDirectory {

    /** Claims {@code stream} for {@code edgeId}; false when it is already live (on any edge). */
    Future<Boolean> claim(String stream, String edgeId);

    /** Gives the name up, if {@code edgeId} still holds it. */
    Future<Void> release(String stream, String edgeId);

    /** The edge the stream is published on, if it is live. */
    Future<Optional<String>> owner(String stream);

    /** Forgets every stream of an edge that left the cluster. */
    void purgeEdge(String edgeId);
}
