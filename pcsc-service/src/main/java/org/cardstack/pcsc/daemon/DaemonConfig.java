package org.cardstack.pcsc.daemon;

import org.cardstack.pcsc.policy.AccessPolicy;
import org.cardstack.pcsc.policy.GroupDirectory;

/**
 * Settings of the pcscd-compatible daemon.
 *
 * @param maxClients           connections at once (pcscd: 200); more are closed at accept with a log line
 * @param maxClientsPerUser    connections of one user at once (each is at most one context)
 * @param lockWaitMillis       how long BEGIN (and a TRANSMIT/STATUS/RECONNECT refused by another
 *                             handle's transaction) waits before SCARD_E_SHARING_VIOLATION (pcscd: 100 ms;
 *                             the client library then retries)
 * @param badHandleDelayMillis pcscd waits 2 s before closing a connection that used a handle not its own
 * @param maxPendingOutput     bytes queued for a client that does not read its replies before it is closed
 * @param notifyQuietMillis    after a readers-state reply that a GET_READER_EVENTS may follow (4.5 WAIT,
 *                             4.6 ARRAY), a notification is held back this long so it cannot be taken
 *                             for the next reply (pcscd-protocol.md §7.4)
 * @param autoExitMillis       exit when no client has been connected for this long (pcscd --auto-exit: 60 s);
 *                             negative: never
 * @param traceApdus           log every APDU at DEBUG on {@code org.cardstack.pcsc.daemon.apdu}, VERIFY and
 *                             CHANGE REFERENCE DATA data masked
 * @param policy               which users and groups see which readers
 * @param groups               supplementary groups of a user
 * @param daemonUser           the daemon's own user (allowed by default)
 * @param socketGroup          the socket file's group (its members are allowed by default); null: none
 */
public record DaemonConfig(int maxClients, int maxClientsPerUser, long lockWaitMillis, long badHandleDelayMillis,
                           int maxPendingOutput, long notifyQuietMillis, long autoExitMillis, boolean traceApdus,
                           AccessPolicy policy, GroupDirectory groups, String daemonUser, String socketGroup) {

    /** pcscd's limits and timings, the default policy, the system's groups. */
    public static DaemonConfig defaults() {
        return new DaemonConfig(200, 100, 100, 2000, 1 << 20, 25, -1, false, AccessPolicy.defaults(),
                GroupDirectory.system(), System.getProperty("user.name"), null);
    }

    public DaemonConfig withLimits(int clients, int perUser) {
        return new DaemonConfig(clients, perUser, lockWaitMillis, badHandleDelayMillis, maxPendingOutput,
                notifyQuietMillis, autoExitMillis, traceApdus, policy, groups, daemonUser, socketGroup);
    }

    public DaemonConfig withBadHandleDelay(long millis) {
        return new DaemonConfig(maxClients, maxClientsPerUser, lockWaitMillis, millis, maxPendingOutput,
                notifyQuietMillis, autoExitMillis, traceApdus, policy, groups, daemonUser, socketGroup);
    }

    public DaemonConfig withAutoExit(long millis) {
        return new DaemonConfig(maxClients, maxClientsPerUser, lockWaitMillis, badHandleDelayMillis, maxPendingOutput,
                notifyQuietMillis, millis, traceApdus, policy, groups, daemonUser, socketGroup);
    }

    public DaemonConfig withTrace(boolean trace) {
        return new DaemonConfig(maxClients, maxClientsPerUser, lockWaitMillis, badHandleDelayMillis, maxPendingOutput,
                notifyQuietMillis, autoExitMillis, trace, policy, groups, daemonUser, socketGroup);
    }

    public DaemonConfig withPolicy(AccessPolicy p, GroupDirectory g, String user, String group) {
        return new DaemonConfig(maxClients, maxClientsPerUser, lockWaitMillis, badHandleDelayMillis, maxPendingOutput,
                notifyQuietMillis, autoExitMillis, traceApdus, p, g, user, group);
    }

    public DaemonConfig withMaxPendingOutput(int bytes) {
        return new DaemonConfig(maxClients, maxClientsPerUser, lockWaitMillis, badHandleDelayMillis, bytes,
                notifyQuietMillis, autoExitMillis, traceApdus, policy, groups, daemonUser, socketGroup);
    }
}
