package org.cardstack.pcsc.daemon.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Jazzer fuzz target of the daemon's message decoder: any byte stream, fed in any chunking, either
 * decodes into messages that re-encode to exactly the bytes consumed, or ends in a ProtocolException;
 * never another exception, never a message above the protocol's sizes. Under {@code mvn test} it runs in
 * regression mode on src/test/resources/org/cardstack/pcsc/daemon/wire/RequestDecoderFuzzTestInputs;
 * {@code JAZZER_FUZZ=1 mvn -pl pcsc-service test -Dtest=RequestDecoderFuzzTest} fuzzes (see the README).
 */
class RequestDecoderFuzzTest {
    @FuzzTest(maxDuration = "60s")
    void decoder(FuzzedDataProvider data) {
        int chunk = data.consumeInt(1, 512);
        byte[] stream = data.consumeRemainingAsBytes();
        RequestDecoder d = new RequestDecoder();
        List<Message> got = new ArrayList<>();
        ByteBuffer encoded = ByteBuffer.allocate(stream.length + 16);
        try {
            for (int i = 0; i < stream.length; i += chunk) {
                ByteBuffer in = ByteBuffer.wrap(stream, i, Math.min(chunk, stream.length - i));
                Message m;
                while ((m = d.decode(in)) != null) {
                    assertTrue(m.structSize() <= 280);
                    byte[] raw = m.data();
                    assertTrue(raw == null || raw.length <= Wire.MAX_BUFFER_SIZE_EXTENDED);
                    got.add(m);
                    encoded.put(Codec.request(m));
                }
            }
        } catch (ProtocolException e) {
            return;   // the connection would be closed
        }
        // every decoded message re-encodes to the bytes it came from
        byte[] prefix = java.util.Arrays.copyOf(stream, encoded.position());
        assertArrayEquals(prefix, java.util.Arrays.copyOf(encoded.array(), encoded.position()));
        // and decoding the same stream in one piece gives the same messages
        try {
            assertEquals(got, RequestDecoder.decodeAll(stream));
        } catch (ProtocolException e) {
            throw new AssertionError("one-piece decoding failed where chunked decoding did not", e);
        }
    }
}
