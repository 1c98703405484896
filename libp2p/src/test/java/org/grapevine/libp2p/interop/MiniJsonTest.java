package org.grapevine.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MiniJsonTest {
  @Test
  void parseObject_identifyLine_givesEveryFieldTyped() {
    Map<String, Object> o =
        MiniJson.parseObject(
            "{\"event\":\"identify\",\"peer\":\"12D3KooWA4Xop\","
                + "\"protocols\":[\"/ipfs/id/1.0.0\",\"/ipfs/ping/1.0.0\"],\"observedAddr\":null,"
                + "\"rttMs\":3,\"ms\":24.817,\"ok\":true,\"neg\":-1e3,\"nested\":{\"a\":[]}}");
    assertThat(o)
        .containsOnlyKeys(
            "event", "peer", "protocols", "observedAddr", "rttMs", "ms", "ok", "neg", "nested");
    assertThat(o.get("protocols")).isEqualTo(List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"));
    assertThat(o.get("observedAddr")).isNull();
    assertThat(o.get("rttMs")).isEqualTo(3L);
    assertThat(o.get("ms")).isEqualTo(24.817);
    assertThat(o.get("ok")).isEqualTo(true);
    assertThat(o.get("neg")).isEqualTo(-1000.0);
    assertThat(o.get("nested")).isEqualTo(Map.of("a", List.of()));
  }

  @Test
  void parseObject_escapes_decoded() {
    Map<String, Object> o =
        MiniJson.parseObject(" {\"m\" : \"a\\\"b\\\\c\\/d\\n\\u00e9\\u0041\"} ");
    assertThat(o.get("m")).isEqualTo("a\"b\\c/d\n\u00e9A");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "[]",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{\"a\":tru}",
        "{\"a\":\"x}",
        "{\"a\":1} x",
        "{a:1}",
        "{\"a\":\"\\q\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":1.2.3}"
      })
  void parseObject_malformed_rejected(String text) {
    assertThatThrownBy(() -> MiniJson.parseObject(text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseObject_deepNesting_rejectedNotStackOverflow() {
    String deep = "{\"a\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
    assertThatThrownBy(() -> MiniJson.parseObject(deep))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested too deeply");
  }

  @Test
  void jsEvent_notJson_keptAsRawLine() {
    JsEvent e = JsEvent.parse("(node:1) Warning: something");
    assertThat(e.name()).isEqualTo(JsEvent.NOT_JSON);
    assertThat(e.string("line")).isEqualTo("(node:1) Warning: something");
  }

  @Test
  void jsEvent_accessors_typeChecked() {
    JsEvent e =
        JsEvent.parse(
            "{\"event\":\"echo\",\"bytes\":307200,\"ok\":true,\"ms\":1.5,\"addrs\":[\"x\"]}");
    assertThat(e.name()).isEqualTo("echo");
    assertThat(e.number("bytes")).isEqualTo(307200L);
    assertThat(e.bool("ok")).isTrue();
    assertThat(e.decimal("ms")).isEqualTo(1.5);
    assertThat(e.strings("addrs")).containsExactly("x");
    assertThatThrownBy(() -> e.string("bytes"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("not a String");
    assertThatThrownBy(() -> e.number("ms")).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> e.string("missing"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("missing");
  }
}
