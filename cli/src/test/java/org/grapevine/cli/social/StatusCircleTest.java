package org.grapevine.cli.social;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code grapevine status} shows the extended circle (issue 17) from {@code status.circle}. */
class StatusCircleTest {
  private static JsonNode status(String circle) throws Exception {
    return new ObjectMapper().readTree("{\"identity\": \"gv1me\", \"circle\": " + circle + "}");
  }

  @Test
  void membersBudgetsAndRefusals() throws Exception {
    String text =
        NodeCommands.Status.human(
            status(
                """
                {"enabled": true, "per_identity_bytes": 2000, "total_bytes": 64000,
                 "max_identities": 500, "identities": 2, "held_bytes": 2500, "not_fetched": 1,
                 "refused_entries": 3, "refused_bytes": 2700, "dht_topics": 1, "dht_topic_peers": 2,
                 "members": [{"identity": "gv1carol", "followed_by": 2, "held_bytes": 1900,
                              "fetched": false},
                             {"identity": "gv1dave", "followed_by": 1, "held_bytes": 600,
                              "fetched": true}]}
                """));
    assertThat(text)
        .contains(
            "circle:       2 identities followed by those you follow (at most 500), 2500 of 64000"
                + " bytes held, at most 2000 each; 1 at a budget, not fetched; 1 looked up in the"
                + " DHT, 2 peers kept for them; refused for budget: 3 entries, 2700 bytes")
        .contains("in circle:    gv1carol (followed by 2, 1900 bytes, not fetched)")
        .contains("in circle:    gv1dave (followed by 1, 600 bytes)");
  }

  @Test
  void off_saysSo_andManyMembersAreCut() throws Exception {
    assertThat(NodeCommands.Status.human(status("{\"enabled\": false}")))
        .contains("circle:       off");
    StringBuilder members = new StringBuilder();
    for (int i = 0; i < 12; i++) {
      members.append(i == 0 ? "" : ",").append("{\"identity\": \"gv1m").append(i).append("\"}");
    }
    String text =
        NodeCommands.Status.human(
            status("{\"enabled\": true, \"identities\": 40, \"members\": [" + members + "]}"));
    assertThat(text.lines().filter(l -> l.startsWith("in circle:"))).hasSize(11);
    assertThat(text).contains("in circle:    and 30 more");
  }
}
