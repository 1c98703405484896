package org.grapevine.node.testing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.imageio.ImageIO;

/**
 * A real JPEG (from javax.imageio) carrying what a phone writes into a photo: an APP1 Exif segment
 * with the camera's make ({@link #CAMERA}) and a GPS position, built byte by byte from the Exif 2.3
 * / TIFF 6.0 layout (big-endian TIFF header, IFD0 with Make and the GPS IFD pointer, a GPS IFD with
 * latitude reference and latitude).
 */
public final class ExifJpeg {
  /** The camera make written into IFD0: found in the bytes if the metadata survived. */
  public static final String CAMERA = "GrapevineTestCam";

  private ExifJpeg() {}

  public static byte[] withGps(int side) throws Exception {
    BufferedImage img = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < side; y++) {
      for (int x = 0; x < side; x++) {
        img.setRGB(x, y, (x * 255 / side) << 16 | (y * 255 / side) << 8 | 0x40);
      }
    }
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(img, "jpg", jpeg);
    byte[] plain = jpeg.toByteArray();
    byte[] app1 = app1();
    // SOI, then our APP1, then the rest as ImageIO wrote it (APP0 JFIF first).
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(plain, 0, 2);
    out.write(app1);
    out.write(plain, 2, plain.length - 2);
    return out.toByteArray();
  }

  private static byte[] app1() {
    byte[] make = (CAMERA + "\0").getBytes(StandardCharsets.US_ASCII);
    // TIFF: header (8), IFD0 at 8: count(2) + 2 entries(24) + next(4) = 30 -> ends at 38;
    // make string at 38; GPS IFD after it: count(2) + 2 entries(24) + next(4); then 3 rationals.
    int makeAt = 38;
    int gpsAt = makeAt + make.length;
    int ratAt = gpsAt + 2 + 24 + 4;
    ByteBuffer t = ByteBuffer.allocate(ratAt + 24);
    t.put(new byte[] {'M', 'M', 0, 42}).putInt(8);
    t.putShort((short) 2);
    t.putShort((short) 0x010F).putShort((short) 2).putInt(make.length).putInt(makeAt); // Make
    t.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(gpsAt); // GPS IFD pointer
    t.putInt(0);
    t.put(make);
    t.putShort((short) 2);
    t.putShort((short) 1).putShort((short) 2).putInt(2).put(new byte[] {'N', 0, 0, 0}); // LatRef
    t.putShort((short) 2).putShort((short) 5).putInt(3).putInt(ratAt); // GPSLatitude
    t.putInt(0);
    t.putInt(41).putInt(1).putInt(53).putInt(1).putInt(2400).putInt(100); // 41° 53' 24.00"
    byte[] tiff = t.array();
    byte[] exif = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
    int length = 2 + exif.length + tiff.length;
    ByteBuffer seg = ByteBuffer.allocate(2 + length);
    seg.put((byte) 0xFF).put((byte) 0xE1).putShort((short) length).put(exif).put(tiff);
    return seg.array();
  }
}
