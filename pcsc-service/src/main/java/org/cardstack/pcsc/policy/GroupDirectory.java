package org.cardstack.pcsc.policy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A user's groups: the primary group (from the socket) plus the groups that list the user as a member. */
@FunctionalInterface
public interface GroupDirectory {
    /** Supplementary groups of {@code user} (group names). */
    Set<String> supplementaryGroups(String user);

    /** All of a peer's groups: its primary group and the supplementary ones. */
    default Set<String> groupsOf(AccessPolicy.Peer peer) {
        Set<String> all = new LinkedHashSet<>();
        all.add(peer.group());
        all.addAll(supplementaryGroups(peer.user()));
        return all;
    }

    /** Reads /etc/group-style lines ({@code name:password:gid:member,member}) on each call. */
    static GroupDirectory file(Path groupFile) {
        return user -> {
            Set<String> groups = new LinkedHashSet<>();
            List<String> lines;
            try {
                lines = Files.readAllLines(groupFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return groups;
            }
            for (String line : lines) {
                String[] f = line.split(":", -1);
                if (f.length >= 4 && !f[3].isEmpty()) {
                    for (String member : f[3].split(",")) {
                        if (member.strip().equals(user)) {
                            groups.add(f[0]);
                        }
                    }
                }
            }
            return groups;
        };
    }

    /** The system's /etc/group. */
    static GroupDirectory system() { return file(Path.of("/etc/group")); }
}
