package org.grapevine.node.api;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.util.Map;

/**
 * A QR code (ZXing's encoder) drawn as inline SVG: one path of unit squares, black on white, with
 * the four-module quiet zone the QR standard asks for. Server-drawn, so the page needs no script
 * and the CSP no exception.
 */
final class QrSvg {
  private static final int QUIET = 4;

  private QrSvg() {}

  /**
   * @throws IllegalArgumentException when {@code text} does not fit in a QR code
   */
  static String of(String text) {
    BitMatrix m;
    try {
      m =
          new QRCodeWriter()
              .encode(
                  text,
                  BarcodeFormat.QR_CODE,
                  0,
                  0,
                  Map.of(
                      EncodeHintType.ERROR_CORRECTION,
                      ErrorCorrectionLevel.M,
                      EncodeHintType.MARGIN,
                      0));
    } catch (WriterException e) {
      throw new IllegalArgumentException("the invite does not fit in a QR code: " + e.getMessage());
    }
    int size = m.getWidth() + 2 * QUIET;
    StringBuilder d = new StringBuilder();
    for (int y = 0; y < m.getHeight(); y++) {
      for (int x = 0; x < m.getWidth(); x++) {
        if (m.get(x, y)) {
          d.append('M').append(x + QUIET).append(' ').append(y + QUIET).append("h1v1h-1z");
        }
      }
    }
    return "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "
        + size
        + ' '
        + size
        + "\" role=\"img\" aria-label=\"QR code of the invite\"><rect width=\""
        + size
        + "\" height=\""
        + size
        + "\" fill=\"#fff\"/><path fill=\"#000\" d=\""
        + d
        + "\"/></svg>";
  }
}
