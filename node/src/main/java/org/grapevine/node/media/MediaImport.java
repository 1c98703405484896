package org.grapevine.node.media;

/**
 * Our user's file, made into blocks to attach: sniff the type from the content, strip metadata from
 * images ({@link JpegStripper}, {@link PngStripper}, {@link WebpStripper}, {@link GifStripper}),
 * then lay the cleaned bytes out ({@link UnixFsFile#layout}). Stripping comes before hashing, so
 * the hash a post carries names the cleaned file and the original's metadata never reaches a block.
 * Other files are kept as they are, typed {@code application/octet-stream}.
 *
 * <p>Pure: the caller reads the file (within its own limit) and stores the blocks ({@link
 * MediaStore#addReference} with {@link MediaOrigin#OWN}, then {@link MediaStore#putBlock} for
 * each). Every refusal is the caller's fault: MALFORMED_IMAGE (a file that claims to be an image
 * and does not parse), FILE_TOO_LARGE.
 */
public final class MediaImport {
  private MediaImport() {}

  public static ImportedMedia prepare(byte[] file, long maxBytes) throws MediaException {
    if (file.length > maxBytes) {
      throw new MediaException(
          MediaError.FILE_TOO_LARGE, file.length + " bytes, over the limit of " + maxBytes);
    }
    MediaType type = MediaType.sniff(file);
    byte[] clean =
        switch (type) {
          case JPEG -> JpegStripper.strip(file);
          case PNG -> PngStripper.strip(file);
          case GIF -> GifStripper.strip(file);
          case WEBP -> WebpStripper.strip(file);
          case OCTET_STREAM -> file;
        };
    return new ImportedMedia(type, UnixFsFile.layout(clean), file.length - (long) clean.length);
  }
}
