package dev.virft.data;

import io.airlift.compress.Compressor;
import io.airlift.compress.Decompressor;
import io.airlift.compress.lz4.Lz4Compressor;
import io.airlift.compress.lz4.Lz4Decompressor;
import io.airlift.compress.snappy.SnappyCompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Parquet page codecs without Hadoop. parquet-hadoop's own {@code CodecFactory} builds a Hadoop
 * {@code Configuration} (and so needs Hadoop's XML stack, Guava, ...) even to decompress snappy; this
 * factory uses aircompressor (pure Java, already a parquet-hadoop dependency) and the JDK's gzip.
 * Supports what the HF hub / pyarrow write: UNCOMPRESSED, SNAPPY (pyarrow's default), ZSTD, GZIP, LZ4_RAW.
 */
final class ParquetCodecs implements CompressionCodecFactory {
  static final ParquetCodecs INSTANCE = new ParquetCodecs();

  private ParquetCodecs() {}

  @Override
  public BytesInputCompressor getCompressor(CompressionCodecName codec) {
    return new BytesInputCompressor() {
      @Override
      public BytesInput compress(BytesInput in) throws IOException {
        byte[] raw = in.toByteArray();
        return switch (codec) {
          case UNCOMPRESSED -> BytesInput.from(raw);
          case SNAPPY -> BytesInput.from(compressWith(new SnappyCompressor(), raw));
          case ZSTD -> BytesInput.from(compressWith(new ZstdCompressor(), raw));
          case LZ4_RAW -> BytesInput.from(compressWith(new Lz4Compressor(), raw));
          case GZIP -> {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
              gz.write(raw);
            }
            yield BytesInput.from(bos.toByteArray());
          }
          default -> throw new IOException("parquet codec " + codec + " is not supported for writing");
        };
      }

      @Override
      public CompressionCodecName getCodecName() {
        return codec;
      }

      @Override
      public void release() {}
    };
  }

  @Override
  public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
    return new BytesInputDecompressor() {
      @Override
      public BytesInput decompress(BytesInput in, int uncompressedSize) throws IOException {
        return BytesInput.from(decompressBytes(codec, in.toByteArray(), uncompressedSize));
      }

      @Override
      public void decompress(ByteBuffer in, int compressedSize, ByteBuffer out, int uncompressedSize)
          throws IOException {
        byte[] src = new byte[compressedSize];
        in.duplicate().get(src);
        out.put(decompressBytes(codec, src, uncompressedSize));
      }

      @Override
      public void release() {}
    };
  }

  /** No page of an image dataset comes near this; a corrupt header claiming more fails cleanly. */
  static final int MAX_PAGE_BYTES = 512 << 20;

  static byte[] decompressBytes(CompressionCodecName codec, byte[] src, int size) throws IOException {
    if (size < 0 || size > MAX_PAGE_BYTES) {
      throw new IOException("page header claims " + size + " uncompressed bytes (at most " + MAX_PAGE_BYTES + " accepted)");
    }
    return switch (codec) {
      case UNCOMPRESSED -> src;
      case SNAPPY -> decompressWith(new SnappyDecompressor(), src, size);
      case ZSTD -> decompressWith(new ZstdDecompressor(), src, size);
      case LZ4_RAW -> decompressWith(new Lz4Decompressor(), src, size);
      case GZIP -> {
        try (GZIPInputStream gz = new GZIPInputStream(new ByteArrayInputStream(src))) {
          byte[] out = gz.readNBytes(size);
          if (out.length != size) throw new IOException("gzip page shorter than its declared size");
          yield out;
        }
      }
      default -> throw new IOException("parquet codec " + codec + " is not supported (use snappy, zstd, gzip or lz4_raw)");
    };
  }

  private static byte[] decompressWith(Decompressor d, byte[] src, int size) throws IOException {
    byte[] out = new byte[size];
    int n;
    try {
      n = d.decompress(src, 0, src.length, out, 0, size);
    } catch (RuntimeException e) {
      throw new IOException("corrupt compressed page: " + e.getMessage(), e);
    }
    if (n != size) {
      throw new IOException("page decompressed to " + n + " bytes, header says " + size);
    }
    return out;
  }

  private static byte[] compressWith(Compressor c, byte[] raw) {
    byte[] out = new byte[c.maxCompressedLength(raw.length)];
    int n = c.compress(raw, 0, raw.length, out, 0, out.length);
    return Arrays.copyOf(out, n);
  }

  @Override
  public void release() {}
}
