package org.grapevine.libp2p.observed;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpScopeTest {
  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, LOOPBACK",
    "::1, LOOPBACK",
    "10.1.2.3, PRIVATE",
    "172.16.0.1, PRIVATE",
    "192.168.0.1, PRIVATE",
    "100.64.0.1, PRIVATE",
    "169.254.1.1, PRIVATE",
    "fd00::1, PRIVATE",
    "fe80::1, PRIVATE",
    "0.0.0.0, RESERVED",
    "192.0.2.1, RESERVED",
    "203.0.113.9, RESERVED",
    "198.18.0.1, RESERVED",
    "240.0.0.1, RESERVED",
    "224.0.0.1, RESERVED",
    "2001:db8::1, RESERVED",
    "11.0.0.1, PUBLIC",
    "100.128.0.1, PUBLIC",
    "8.8.8.8, PUBLIC",
    "2a01:4f8::1, PUBLIC",
    "::ffff:10.0.0.1, PRIVATE"
  })
  void of_knownRanges(String ip, IpScope expected) throws Exception {
    assertThat(IpScope.of(InetAddress.getByName(ip))).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "12.34.0.1, 12.34.255.9, true",
    "12.34.0.1, 12.35.0.1, false",
    "2a01:1:2::1, 2a01:1:2:ffff::9, true",
    "2a01:1:2::1, 2a01:1:3::1, false"
  })
  void group_ipv4Slash16_ipv6Slash48(String a, String b, boolean same) throws Exception {
    assertThat(
            IpScope.group(InetAddress.getByName(a)).equals(IpScope.group(InetAddress.getByName(b))))
        .isEqualTo(same);
  }
}
