package org.cardstack.pcsc.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessPolicyTest {
    static final AccessPolicy.Peer ALICE = new AccessPolicy.Peer("alice", "alice");
    static final AccessPolicy.Peer BOB = new AccessPolicy.Peer("bob", "users");

    @Test
    void firstMatchingRuleWinsPerReader() {
        AccessPolicy p = AccessPolicy.parse(List.of(
                "# cardstack serve policy",
                "deny  user:alice  \"Yubico YubiKey*\"   # not her token reader",
                "allow group:scard *",
                "allow user:bob    cardstack Virtual CCID (0001) ?? 00",
                "deny  *           *"), "test");
        assertEquals(4, p.rules().size());
        Predicate<String> alice = p.readersFor(ALICE, Set.of("alice", "scard"), false);
        assertFalse(alice.test("Yubico YubiKey OTP+FIDO+CCID 00 00"));
        assertTrue(alice.test("cardstack Virtual CCID (0001) 00 00"));
        Predicate<String> bob = p.readersFor(BOB, Set.of("users"), true);
        assertTrue(bob.test("cardstack Virtual CCID (0001) 01 00"));
        assertFalse(bob.test("cardstack Virtual CCID (0001) #2 01 00"));
        assertFalse(bob.test("Yubico YubiKey OTP+FIDO+CCID 00 00"));
    }

    @Test
    void noMatchingRuleMeansTheDefault() {
        AccessPolicy p = AccessPolicy.parse(List.of("allow user:carol *"), "test");
        assertTrue(p.readersFor(BOB, Set.of("users"), true).test("any 00 00"));
        assertFalse(p.readersFor(BOB, Set.of("users"), false).test("any 00 00"));
        assertTrue(AccessPolicy.defaultAllows(new AccessPolicy.Peer("root", "root"), Set.of("root"), "pcscd", "scard"));
        assertTrue(AccessPolicy.defaultAllows(BOB, Set.of("users"), "bob", null), "the daemon's own user");
        assertTrue(AccessPolicy.defaultAllows(BOB, Set.of("users", "scard"), "pcscd", "scard"), "socket group");
        assertFalse(AccessPolicy.defaultAllows(BOB, Set.of("users"), "pcscd", "scard"));
        assertFalse(AccessPolicy.defaultAllows(BOB, Set.of("users"), "pcscd", null));
    }

    @Test
    void syntaxErrorsNameTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AccessPolicy.parse(List.of("", "permit user:bob *"), "policy.conf"));
        assertTrue(e.getMessage().startsWith("policy.conf:2:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AccessPolicy.parse(List.of("allow bob *"), "p"));
        assertThrows(IllegalArgumentException.class, () -> AccessPolicy.parse(List.of("allow user:bob"), "p"));
        assertThrows(IllegalArgumentException.class, () -> AccessPolicy.parse(List.of("allow user:bob \"x*"), "p"));
    }

    @Test
    void groupFileGivesSupplementaryGroups(@TempDir Path dir) throws Exception {
        Path group = dir.resolve("group");
        Files.writeString(group, "root:x:0:\nscard:x:120:alice,bob\nplugdev:x:46:bob\nusers:x:100:\n");
        GroupDirectory g = GroupDirectory.file(group);
        assertEquals(Set.of("users", "scard", "plugdev"), g.groupsOf(BOB));
        assertEquals(Set.of("alice", "scard"), g.groupsOf(ALICE));
        assertEquals(Set.of(), GroupDirectory.file(dir.resolve("missing")).supplementaryGroups("bob"));
    }
}
