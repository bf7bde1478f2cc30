package p2pedge;

import java.util.logging.LogManager;

/**
 * The JDK's LogManager resets (silences) every handler in its own shutdown hook, racing the edge's shutdown
 * hook: without this, the log of a clean shutdown is lost. Installed by {@link Main} before any logger exists.
 */
public final class ShutdownLogManager extends LogManager {

    private static volatile boolean shuttingDownDone;

    @Override
    public void reset() {
        // Before shutdown completes there is nothing worth resetting: at start-up no handler exists yet.
        if (shuttingDownDone) {
            super.reset();
        }
    }

    /** Called by the edge's shutdown hook once its last line is logged. */
    static void shutdownComplete() {
        shuttingDownDone = true;
        LogManager manager = LogManager.getLogManager();
        if (manager instanceof ShutdownLogManager) {
            manager.reset();
        }
    }
}
