package org.grapevine.node.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.grapevine.protocol.testing.TestAuthors.T0_MILLIS;
import static org.grapevine.protocol.testing.TestAuthors.post;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.grapevine.protocol.crypto.SigningKey;
import org.grapevine.protocol.log.LogWriter;
import org.grapevine.protocol.testing.TestAuthors;
import org.grapevine.protocol.validation.EntryValidator;
import org.grapevine.protocol.validation.Verification;
import org.junit.jupiter.api.Test;

class BatchVerifierTest {
  private static List<byte[]> envelopes(int n) {
    TestAuthors.Person bob = TestAuthors.person("bob");
    SigningKey phone = bob.deviceKey("phone");
    LogWriter w = bob.deviceLog(phone);
    List<byte[]> out = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      out.add(w.append(post("post " + i), T0_MILLIS + i).toEnvelopeBytes());
    }
    return out;
  }

  @Test
  void verify_batchOfSeveralChunks_keepsOrderAndFlagsTheBadOne() throws Exception {
    List<byte[]> batch = envelopes(3 * BatchVerifier.CHUNK_ENTRIES + 5);
    int bad = 2 * BatchVerifier.CHUNK_ENTRIES + 1;
    byte[] tampered = batch.get(bad).clone();
    tampered[tampered.length - 1] ^=
        1; // The last byte is in the signature or content; either way invalid.
    batch.set(bad, tampered);
    try (BatchVerifier verifier = new BatchVerifier(new EntryValidator(), 3)) {
      List<Verification> out = verifier.verify(batch).get(30, TimeUnit.SECONDS);
      assertThat(out).hasSize(batch.size());
      for (int i = 0; i < out.size(); i++) {
        if (i == bad) {
          assertThat(out.get(i)).isInstanceOf(Verification.Invalid.class);
        } else {
          assertThat(((Verification.Valid) out.get(i)).entry().header().seq()).isEqualTo(i + 1);
        }
      }
    }
  }

  @Test
  void verify_emptyBatch_completesEmpty() throws Exception {
    try (BatchVerifier verifier = new BatchVerifier(new EntryValidator(), 1)) {
      assertThat(verifier.verify(List.of()).get(5, TimeUnit.SECONDS)).isEmpty();
    }
  }

  @Test
  void verify_afterClose_failsWithRejectedExecution() {
    BatchVerifier verifier = new BatchVerifier(new EntryValidator(), 1);
    verifier.close();
    Assertions.assertThatThrownBy(() -> verifier.verify(envelopes(1)).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(RejectedExecutionException.class);
  }
}
