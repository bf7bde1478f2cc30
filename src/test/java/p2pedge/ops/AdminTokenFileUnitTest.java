package p2pedge.ops;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin token file: made private, read back, refused when others can read it. */
class AdminTokenFileUnitTest {

    @Test
    void aTokenIsMadeOnceInAPrivateFileAndReadBackAfterwards() throws Exception {
        Path dir = Files.createTempDirectory("admin-token");
        Path file = dir.resolve("sub").resolve("admin-token");
        try {
            String made = AdminTokenFile.readOrCreate(file);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
            assertEquals(64, made.length());
            assertEquals(made, AdminTokenFile.readOrCreate(file), "a restart keeps the token");
            try (var listing = Files.list(file.getParent())) {
                assertEquals(1, listing.count(), "no temporary file left behind");
            }
            Files.delete(file);
            assertNotEquals(made, AdminTokenFile.readOrCreate(file), "deleting the file makes a new token");
        } finally {
            deleteTree(dir);
        }
    }

    @Test
    void aFileOthersCanReadOrAnEmptyOneIsRefused() throws Exception {
        Path dir = Files.createTempDirectory("admin-token");
        try {
            Path shared = dir.resolve("shared");
            Files.writeString(shared, "0123456789abcdef0123456789abcdef\n");
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rw-r--r--"));
            IOException open = assertThrows(IOException.class, () -> AdminTokenFile.readOrCreate(shared));
            assertTrue(open.getMessage().contains("rw-r--r--"), open.getMessage());
            Path empty = dir.resolve("empty");
            Files.createFile(empty, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            assertThrows(IOException.class, () -> AdminTokenFile.readOrCreate(empty));
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
