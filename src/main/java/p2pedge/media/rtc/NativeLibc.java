package p2pedge.media.rtc;

import com.sun.jna.Native;
import com.sun.jna.Platform;

import java.util.function.Consumer;

/**
 * Binds a class's native methods straight to the C library (JNA direct mapping: no reflection per call), where the
 * structures its callers lay out by hand are known: Linux on 64-bit x86 and ARM.
 */
public final class NativeLibc {

    private NativeLibc() {
    }

    /**
     * Binds {@code calls}' native methods; false, and {@code unavailable} told why, on another platform or when JNA's
     * own library cannot be loaded (a read-only temporary folder, say).
     */
    public static boolean bind(Class<?> calls, Consumer<Throwable> unavailable) {
        try {
            if (!Platform.isLinux() || !Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
                throw new UnsupportedOperationException("not Linux on 64-bit x86 or ARM");
            }
            Native.register(calls, Platform.C_LIBRARY_NAME);
            return true;
        } catch (Throwable e) {
            unavailable.accept(e);
            return false;
        }
    }
}
