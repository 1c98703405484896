package org.grapevine.cli.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseReaderTest {
  private static SseReader reader(String text, int maxLine) {
    return new SseReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), maxLine);
  }

  @Test
  void next_entriesCommentsAndCrlf_givesEventsInOrder() throws IOException {
    SseReader r =
        reader(
            ": connected\n\nevent: entry\nid: ab\ndata: {\"a\":1}\n\n: keep-alive\n\r\nevent: entry\r\ndata: é\r\n\r\n",
            100);
    SseReader.Event first = r.next();
    assertThat(first.name()).isEqualTo("entry");
    assertThat(first.data()).isEqualTo("{\"a\":1}");
    assertThat(r.next().data()).isEqualTo("é");
    assertThat(r.next()).isNull();
  }

  @Test
  void next_lineLongerThanLimit_throwsInsteadOfBuffering() {
    SseReader r = reader("data: " + "x".repeat(1000) + "\n\n", 64);
    assertThatThrownBy(r::next)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("longer than 64 bytes");
  }
}
