package org.grapevine.node.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.grapevine.libp2p.bitswap.Cid;
import org.junit.jupiter.api.Test;

/**
 * Import strips metadata before hashing: real images written by javax.imageio, metadata inserted by
 * hand (an Exif APP1 with a GPS IFD, PNG text and eXIf chunks), then imported; the stored bytes
 * carry none of it and still decode.
 */
class MediaImportTest {
  private static final byte[] SECRET =
      "52.5163N-13.3777E-secret".getBytes(StandardCharsets.US_ASCII);

  private static byte[] image(String format) throws Exception {
    BufferedImage img = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.ORANGE);
    g.fillRect(0, 0, 48, 32);
    g.setColor(Color.BLUE);
    g.fillOval(8, 4, 24, 24);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(img, format, out)).isTrue();
    return out.toByteArray();
  }

  /**
   * Exif as a camera writes it: "Exif\0\0", a big-endian TIFF header, IFD0 with one entry (GPSInfo,
   * tag 0x8825) pointing at a GPS IFD with GPSLatitudeRef "N" and GPSLatitude (3 rationals), and a
   * maker-note-like string holding {@link #SECRET}.
   */
  private static byte[] exifWithGps() {
    ByteBuffer t = ByteBuffer.allocate(200).order(ByteOrder.BIG_ENDIAN);
    t.put("MM".getBytes(StandardCharsets.US_ASCII)).putShort((short) 42).putInt(8);
    // IFD0 at 8: 1 entry, next IFD 0
    t.putShort((short) 1);
    t.putShort((short) 0x8825).putShort((short) 4).putInt(1).putInt(26); // GPSInfo -> 26
    t.putInt(0);
    // GPS IFD at 26: 2 entries
    t.putShort((short) 2);
    t.putShort((short) 1).putShort((short) 2).putInt(2).put(new byte[] {'N', 0, 0, 0});
    t.putShort((short) 2).putShort((short) 5).putInt(3).putInt(56); // GPSLatitude -> 56
    t.putInt(0);
    // 3 rationals at 56: 52/1 30/1 5880/100
    t.putInt(52).putInt(1).putInt(30).putInt(1).putInt(5880).putInt(100);
    t.put(SECRET);
    byte[] tiff = Arrays.copyOf(t.array(), t.position());
    ByteArrayOutputStream app1 = new ByteArrayOutputStream();
    app1.writeBytes("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
    app1.writeBytes(tiff);
    return app1.toByteArray();
  }

  private static byte[] segment(int marker, byte[] payload) {
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    s.write(0xff);
    s.write(marker);
    s.write((payload.length + 2) >> 8);
    s.write((payload.length + 2) & 0xff);
    s.writeBytes(payload);
    return s.toByteArray();
  }

  /** Inserts segments right after SOI and the JFIF APP0 that ImageIO writes. */
  private static byte[] withSegments(byte[] jpeg, byte[]... segments) {
    assertThat(jpeg[2] & 0xff).isEqualTo(0xff);
    assertThat(jpeg[3] & 0xff).isEqualTo(0xe0);
    int app0End = 4 + ((jpeg[4] & 0xff) << 8 | (jpeg[5] & 0xff));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, app0End);
    for (byte[] s : segments) {
      out.writeBytes(s);
    }
    out.write(jpeg, app0End, jpeg.length - app0End);
    return out.toByteArray();
  }

  @Test
  void prepare_jpegWithExifGpsIptcAndComment_storesTheImageWithoutThem() throws Exception {
    byte[] clean = image("jpeg");
    byte[] tagged =
        withSegments(
            clean,
            segment(0xe1, exifWithGps()),
            segment(
                0xe1,
                "http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>secret"
                    .getBytes(StandardCharsets.US_ASCII)),
            segment(0xed, "Photoshop 3.0\08BIM secret".getBytes(StandardCharsets.US_ASCII)),
            segment(0xfe, SECRET));
    assertThat(indexOf(tagged, "Exif\0\0".getBytes(StandardCharsets.US_ASCII))).isPositive();

    ImportedMedia imported = MediaImport.prepare(tagged, 10 << 20);

    assertThat(imported.type()).isEqualTo(MediaType.JPEG);
    byte[] stored = only(imported);
    assertThat(indexOf(stored, "Exif".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    assertThat(indexOf(stored, new byte[] {(byte) 0x88, 0x25})).isEqualTo(-1); // GPSInfo tag
    assertThat(indexOf(stored, SECRET)).isEqualTo(-1);
    assertThat(indexOf(stored, "Photoshop".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    assertThat(stored).isEqualTo(clean); // exactly what ImageIO wrote: nothing else was touched
    assertThat(imported.strippedBytes()).isEqualTo(tagged.length - clean.length);
    assertThat(imported.layout().root()).isEqualTo(Cid.rawSha256(clean));
    BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(stored));
    assertThat(decoded.getWidth()).isEqualTo(48);
    assertThat(decoded.getHeight()).isEqualTo(32);
  }

  @Test
  void prepare_jpegWithExifOrientation_keptAsTheOnlyExifTag_gpsGone() throws Exception {
    byte[] gps = org.grapevine.node.testing.ExifJpeg.withGps(16);
    byte[] rotated = JpegStripper.orientationExif(6); // A phone held upright.
    byte[] photo = new byte[gps.length + rotated.length];
    System.arraycopy(gps, 0, photo, 0, 2);
    System.arraycopy(rotated, 0, photo, 2, rotated.length);
    System.arraycopy(gps, 2, photo, 2 + rotated.length, gps.length - 2);

    byte[] stored = only(MediaImport.prepare(photo, 1 << 20));

    String text = new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1);
    assertThat(text).doesNotContain(org.grapevine.node.testing.ExifJpeg.CAMERA);
    int exif = text.indexOf("Exif");
    assertThat(exif).isPositive();
    assertThat(text.indexOf("Exif", exif + 1)).as("one Exif only").isNegative();
    assertThat(java.util.Arrays.copyOfRange(stored, exif - 4, exif - 4 + rotated.length))
        .isEqualTo(rotated);
    assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(stored)).getWidth())
        .isEqualTo(16);
  }

  @Test
  void prepare_jpegIccAndAdobeSegments_kept_trailerDropped() throws Exception {
    byte[] icc = segment(0xe2, "ICC_PROFILE\0\1\1fake-profile".getBytes(StandardCharsets.US_ASCII));
    byte[] mpf = segment(0xe2, "MPF\0preview".getBytes(StandardCharsets.US_ASCII));
    byte[] adobe = segment(0xee, "Adobe\0\144\0\0\0\0\1".getBytes(StandardCharsets.US_ASCII));
    byte[] tagged = withSegments(image("jpeg"), icc, mpf, adobe);
    byte[] withTrailer = Arrays.copyOf(tagged, tagged.length + SECRET.length);
    System.arraycopy(SECRET, 0, withTrailer, tagged.length, SECRET.length);

    byte[] stored = only(MediaImport.prepare(withTrailer, 10 << 20));

    assertThat(indexOf(stored, icc)).isPositive();
    assertThat(indexOf(stored, adobe)).isPositive();
    assertThat(indexOf(stored, mpf)).isEqualTo(-1);
    assertThat(indexOf(stored, SECRET)).isEqualTo(-1);
    assertThat(stored[stored.length - 1] & 0xff).isEqualTo(0xd9);
  }

  @Test
  void prepare_pngWithExifTextAndTime_storesTheImageWithoutThem() throws Exception {
    byte[] clean = image("png");
    int afterIhdr = 8 + 12 + 13;
    ByteArrayOutputStream tagged = new ByteArrayOutputStream();
    tagged.write(clean, 0, afterIhdr);
    tagged.writeBytes(chunk("eXIf", Arrays.copyOfRange(exifWithGps(), 6, exifWithGps().length)));
    tagged.writeBytes(
        chunk("tEXt", concat("Comment\0".getBytes(StandardCharsets.US_ASCII), SECRET)));
    tagged.writeBytes(
        chunk(
            "iTXt",
            concat("XML:com.adobe.xmp\0\0\0\0\0".getBytes(StandardCharsets.US_ASCII), SECRET)));
    tagged.writeBytes(chunk("tIME", new byte[] {0x07, (byte) 0xea, 12, 3, 23, 0, 0}));
    tagged.write(clean, afterIhdr, clean.length - afterIhdr);
    byte[] taggedBytes = tagged.toByteArray();
    assertThat(ImageIO.read(new ByteArrayInputStream(taggedBytes))).isNotNull();

    ImportedMedia imported = MediaImport.prepare(taggedBytes, 10 << 20);

    assertThat(imported.type()).isEqualTo(MediaType.PNG);
    byte[] stored = only(imported);
    assertThat(indexOf(stored, "eXIf".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
    assertThat(indexOf(stored, SECRET)).isEqualTo(-1);
    assertThat(stored).isEqualTo(clean);
    assertThat(ImageIO.read(new ByteArrayInputStream(stored)).getWidth()).isEqualTo(48);
  }

  @Test
  void prepare_gifWithComment_storesTheImageWithoutIt() throws Exception {
    byte[] clean = image("gif");
    int afterTable = 13 + ((clean[10] & 0x80) == 0 ? 0 : 3 << ((clean[10] & 7) + 1));
    ByteArrayOutputStream tagged = new ByteArrayOutputStream();
    tagged.write(clean, 0, afterTable);
    tagged.write(0x21);
    tagged.write(0xfe);
    tagged.write(SECRET.length);
    tagged.writeBytes(SECRET);
    tagged.write(0);
    tagged.write(clean, afterTable, clean.length - afterTable);

    ImportedMedia imported = MediaImport.prepare(tagged.toByteArray(), 10 << 20);

    assertThat(imported.type()).isEqualTo(MediaType.GIF);
    byte[] stored = only(imported);
    assertThat(indexOf(stored, SECRET)).isEqualTo(-1);
    assertThat(ImageIO.read(new ByteArrayInputStream(stored)).getHeight()).isEqualTo(32);
  }

  @Test
  void prepare_webpWithExifAndXmp_dropsThemClearsFlagsAndFixesRiffSize() throws Exception {
    byte[] vp8x = {0x2c, 0, 0, 0, 47, 0, 0, 31, 0, 0}; // ICC | EXIF | XMP, 48 x 32
    byte[] webp =
        riff(
            chunkLe("VP8X", vp8x),
            chunkLe("ICCP", new byte[] {1, 2, 3}), // odd: padded
            chunkLe("EXIF", Arrays.copyOfRange(exifWithGps(), 6, exifWithGps().length)),
            chunkLe("XMP ", SECRET),
            chunkLe("VP8L", new byte[] {0x2f, 1, 2, 3, 4}));

    ImportedMedia imported = MediaImport.prepare(webp, 10 << 20);

    assertThat(imported.type()).isEqualTo(MediaType.WEBP);
    byte[] stored = only(imported);
    assertThat(fourccs(stored)).containsExactly("VP8X", "ICCP", "VP8L");
    assertThat(stored[20] & 0xff).isEqualTo(0x20); // ICC kept, EXIF and XMP cleared
    assertThat(ByteBuffer.wrap(stored, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt())
        .isEqualTo(stored.length - 8);
    assertThat(indexOf(stored, SECRET)).isEqualTo(-1);
  }

  @Test
  void prepare_otherFiles_keptAsTheyAreAsOctetStream() throws Exception {
    byte[] pdf = "%PDF-1.7 not an image, named photo.jpg".getBytes(StandardCharsets.US_ASCII);
    ImportedMedia imported = MediaImport.prepare(pdf, 1000);
    assertThat(imported.type()).isEqualTo(MediaType.OCTET_STREAM);
    assertThat(imported.type().mime()).isEqualTo("application/octet-stream");
    assertThat(only(imported)).isEqualTo(pdf);
    assertThat(imported.codec()).isEqualTo(Cid.RAW);
    assertThat(imported.hash()).isEqualTo(Cid.rawSha256(pdf).digest());
  }

  @Test
  void prepare_largeFile_dagPbRoot() throws Exception {
    byte[] big = new byte[UnixFsFile.LEAF_BYTES + 1];
    ImportedMedia imported = MediaImport.prepare(big, UnixFsFile.LEAF_BYTES + 1);
    assertThat(imported.codec()).isEqualTo(MediaCids.DAG_PB);
    assertRefused(() -> MediaImport.prepare(big, UnixFsFile.LEAF_BYTES), MediaError.FILE_TOO_LARGE);
  }

  @Test
  void prepare_malformedImages_refusedAsTheCallersFault() throws Exception {
    byte[] jpeg = image("jpeg");
    assertRefused(
        () -> MediaImport.prepare(Arrays.copyOf(jpeg, jpeg.length / 2), 1 << 20),
        MediaError.MALFORMED_IMAGE);
    byte[] lying = jpeg.clone();
    lying[4] = (byte) 0xff; // APP0 length far past the end
    assertRefused(() -> MediaImport.prepare(lying, 1 << 20), MediaError.MALFORMED_IMAGE);
    byte[] png = image("png");
    assertRefused(
        () -> MediaImport.prepare(Arrays.copyOf(png, png.length - 5), 1 << 20),
        MediaError.MALFORMED_IMAGE);
    byte[] gif = image("gif");
    assertRefused(
        () -> MediaImport.prepare(Arrays.copyOf(gif, gif.length - 3), 1 << 20),
        MediaError.MALFORMED_IMAGE);
    byte[] webp = riff(chunkLe("VP8L", new byte[] {1, 2, 3, 4}));
    ByteBuffer.wrap(webp, 16, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(1000);
    assertRefused(() -> MediaImport.prepare(webp, 1 << 20), MediaError.MALFORMED_IMAGE);
    assertThat(MediaError.MALFORMED_IMAGE.senderAtFault()).isFalse();
  }

  private interface Call {
    void run() throws Exception;
  }

  private static void assertRefused(Call call, MediaError code) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(MediaException.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  private static byte[] only(ImportedMedia imported) {
    assertThat(imported.layout().blocks()).hasSize(1);
    return imported.layout().blocks().get(0).data();
  }

  private static byte[] chunk(String type, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(12 + data.length);
    b.putInt(data.length).put(type.getBytes(StandardCharsets.US_ASCII)).put(data);
    CRC32 crc = new CRC32();
    crc.update(b.array(), 4, 4 + data.length);
    b.putInt((int) crc.getValue());
    return b.array();
  }

  private static byte[] chunkLe(String fourcc, byte[] data) {
    int padded = data.length + (data.length & 1);
    ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
    b.put(fourcc.getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(data);
    return b.array();
  }

  private static byte[] riff(byte[]... chunks) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes("WEBP".getBytes(StandardCharsets.US_ASCII));
    for (byte[] c : chunks) {
      body.writeBytes(c);
    }
    ByteBuffer b = ByteBuffer.allocate(8 + body.size()).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(body.size()).put(body.toByteArray());
    return b.array();
  }

  private static List<String> fourccs(byte[] webp) {
    List<String> out = new ArrayList<>();
    int pos = 12;
    while (pos + 8 <= webp.length) {
      out.add(new String(webp, pos, 4, StandardCharsets.US_ASCII));
      int size = ByteBuffer.wrap(webp, pos + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      pos += 8 + size + (size & 1);
    }
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
