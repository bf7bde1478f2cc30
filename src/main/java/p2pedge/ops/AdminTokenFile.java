package p2pedge.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The admin token an edge makes when the operator set none ({@code metrics.adminToken} empty), kept in a file only
 * the edge's user can read ({@code metrics.adminTokenFile}, rw-------) instead of in the log. An existing file is
 * read, so the token survives restarts and edges started from one directory share it; delete the file for a new one.
 */
public final class AdminTokenFile {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private AdminTokenFile() {
    }

    /** The token in {@code file}, or a new one written there; file I/O on a worker thread. */
    public static Future<String> obtain(Vertx vertx, Path file) {
        return vertx.executeBlocking(() -> readOrCreate(file), false);
    }

    static String readOrCreate(Path file) throws IOException {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return read(file);
        }
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        // Written in full under a temporary name, then linked into place: another edge starting from the same
        // directory either sees no file or the whole token, and the first one to link wins.
        Path temp = Files.createTempFile(dir, ".admin-token", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        try {
            Files.writeString(temp, token + "\n");
            Files.createLink(file, temp);
            return token;
        } catch (FileAlreadyExistsException e) {
            return read(file);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String read(Path file) throws IOException {
        Set<PosixFilePermission> rights = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_ONLY.containsAll(rights)) {
            throw new IOException(file + " is open to others (" + PosixFilePermissions.toString(rights)
                    + "): chmod 600 it, or delete it and a new token is made");
        }
        String token = Files.readString(file).trim();
        if (token.length() < 16) {
            throw new IOException(file + " holds no usable token (16 characters at least): delete it and a new one is made");
        }
        return token;
    }
}
