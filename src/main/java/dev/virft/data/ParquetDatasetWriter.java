package dev.virft.data;

import dev.virft.util.VirftException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes the HF hub layout: {@code data/<split>-00000-of-00001.parquet}, snappy-compressed (pyarrow's
 * default), with the {@code huggingface} key-value metadata that {@code datasets} reads to decode the
 * {@code image} column as an Image feature.
 */
final class ParquetDatasetWriter {
  /** Row group size in bytes: bounds what writer and reader hold at once (HF uses 100-row groups for images). */
  static final int ROW_GROUP_BYTES = 4 << 20;

  private final String split;

  ParquetDatasetWriter(String split) {
    this.split = split;
  }

  static MessageType parquetSchema(OutputSchema schema) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.optionalGroup()
        .optional(PrimitiveTypeName.BINARY).named("bytes")
        .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("path")
        .named("image");
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("problem");
    b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("solution");
    for (OutputSchema.Extra e : schema.extras) {
      switch (e.kind()) {
        case STRING -> b.optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(e.name());
        case INT64 -> b.optional(PrimitiveTypeName.INT64).named(e.name());
        case FLOAT64 -> b.optional(PrimitiveTypeName.DOUBLE).named(e.name());
        case BOOL -> b.optional(PrimitiveTypeName.BOOLEAN).named(e.name());
      }
    }
    return b.named("schema");
  }

  long write(Path out, Iterator<Sample> rows) throws IOException {
    if (!rows.hasNext()) {
      throw new VirftException(out + ": nothing to write (no rows)");
    }
    Sample first = rows.next();
    OutputSchema schema = OutputSchema.of(first);
    MessageType type = parquetSchema(schema);
    Path file = Files.createDirectories(out.resolve("data")).resolve(split + "-00000-of-00001.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(type);
    long count = 0;
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file))
        .withConf(new PlainParquetConfiguration())
        .withCodecFactory(ParquetCodecs.INSTANCE)
        .withCompressionCodec(CompressionCodecName.SNAPPY)
        .withType(type)
        .withRowGroupSize((long) ROW_GROUP_BYTES)
        // encoded images never repeat: a dictionary would only buffer them twice before falling back
        .withDictionaryEncoding("image.bytes", false)
        .withExtraMetaData(Map.of("huggingface", schema.huggingfaceMetadata()))
        .build()) {
      Sample s = first;
      while (s != null) {
        schema.checkNoNewColumns(s);
        Group g = groups.newGroup();
        Group image = g.addGroup("image");
        image.append("bytes", Binary.fromConstantByteArray(s.image().bytes()));
        g.append("problem", s.problem());
        g.append("solution", s.solution());
        for (OutputSchema.Extra e : schema.extras) {
          Object v = schema.value(s, e);
          if (v == null) continue;
          switch (e.kind()) {
            case STRING -> g.append(e.name(), (String) v);
            case INT64 -> g.append(e.name(), ((Number) v).longValue());
            case FLOAT64 -> g.append(e.name(), ((Number) v).doubleValue());
            case BOOL -> g.append(e.name(), (Boolean) v);
          }
        }
        w.write(g);
        count++;
        s = rows.hasNext() ? rows.next() : null;
      }
    }
    return count;
  }

}
