package org.grapevine.protocol.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.grapevine.protocol.Limits;
import org.junit.jupiter.api.Test;

class SyncLimitsTest {
  @Test
  void constructor_batchTooSmallForLargestEnvelope_refused() {
    assertThatThrownBy(() -> new SyncLimits(10, Limits.MAX_ENVELOPE_BYTES - 1, 4, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void constructor_overWireLimits_refused() {
    assertThatThrownBy(
            () ->
                new SyncLimits(SyncLimits.MAX_BATCH_ENTRIES + 1, SyncLimits.MAX_BATCH_BYTES, 4, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () ->
                new SyncLimits(1, SyncLimits.MAX_BATCH_BYTES, SyncLimits.MAX_CREDIT_BATCHES + 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void errorDetail_long_truncatedToLimitOnCharacterBoundary() {
    String detail = "é".repeat(SyncLimits.MAX_ERROR_DETAIL_BYTES);
    String cut = SyncMessageCodec.truncate(detail);
    assertThat(cut.getBytes(StandardCharsets.UTF_8)).hasSize(SyncLimits.MAX_ERROR_DETAIL_BYTES);
    assertThat(cut).matches("é+");
  }

  @Test
  void errorCode_unknownNumber_unknown() {
    assertThat(SyncErrorCode.ofNumber(999)).isEqualTo(SyncErrorCode.UNKNOWN);
    assertThat(SyncErrorCode.ofNumber(SyncErrorCode.OUT_OF_ORDER.number()))
        .isEqualTo(SyncErrorCode.OUT_OF_ORDER);
  }
}
