package dev.virft.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.util.VirftException;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every bad input fails with a VirftException naming the file (and row) and what was expected. */
class DatasetErrorsTest {
  @TempDir Path tmp;

  static String fail(Path p) {
    return assertThrows(VirftException.class, () -> {
      try (DatasetReader r = Datasets.open(p)) {
        r.forEach(s -> s.image().bytes());
      }
    }).getMessage();
  }

  static void has(String msg, String... parts) {
    for (String p : parts) assertTrue(msg.contains(p), "'" + msg + "' lacks '" + p + "'");
  }

  Path png() throws Exception {
    Path p = tmp.resolve("a.png");
    if (!Files.exists(p)) {
      try (DatasetReader r = Datasets.open(FixtureReadTest.DATA.resolve("virft_parquet"))) {
        Files.write(p, r.iterator().next().image().bytes());
      }
    }
    return p;
  }

  Path jsonl(String name, String... lines) throws Exception {
    png();
    Path f = tmp.resolve(name);
    Files.writeString(f, String.join("\n", lines) + (lines.length > 0 ? "\n" : ""));
    return f;
  }

  @Test
  void missingColumn() throws Exception {
    Path f = jsonl("nop.jsonl", "{\"image_path\": \"a.png\", \"solution\": \"s\"}");
    has(fail(f), f.toString(), "dataset without `problem`");
    Path g = jsonl("noimg.jsonl", "{\"problem\": \"p\", \"solution\": \"s\"}");
    has(fail(g), g.toString(), "without `image`");
    Path h = jsonl("later.jsonl", "{\"image_path\": \"a.png\", \"problem\": \"p\", \"solution\": \"s\"}",
        "{\"image_path\": \"a.png\", \"problem\": \"p\"}");
    has(fail(h), h + " row 1", "without `solution`");
  }

  @Test
  void missingColumnInArrowShard() throws Exception {
    Path dir = arrowSplit("solution", new ArrowType.Utf8(), false);
    has(fail(dir), "data-00000-of-00001.arrow", "dataset without `problem`");
  }

  @Test
  void wrongType() throws Exception {
    Path f = jsonl("type.jsonl", "{\"image_path\": \"a.png\", \"problem\": \"p\", \"solution\": \"s\"}",
        "{\"image_path\": \"a.png\", \"problem\": 5, \"solution\": \"s\"}");
    has(fail(f), f + " row 1", "`problem` is an integer, expected a string");
    Path dir = arrowSplit("problem", new ArrowType.Int(64, true), true);
    has(fail(dir), "data-00000-of-00001.arrow", "column `problem` is int64, expected string");
  }

  @Test
  void unreadableShard() throws Exception {
    Path dir = tmp.resolve("std");
    copyDir(FixtureReadTest.DATA.resolve("virft_save_to_disk"), dir);
    Path shard = dir.resolve("train/data-00000-of-00001.arrow");
    byte[] b = Files.readAllBytes(shard);
    Files.write(shard, java.util.Arrays.copyOf(b, b.length / 2));
    has(fail(dir), shard.toString(), "unreadable Arrow IPC shard");
    Files.write(shard, "not arrow at all, just text".getBytes());
    has(fail(dir), shard.toString(), "unreadable Arrow IPC shard");
    Path pq = tmp.resolve("bad.parquet");
    Files.write(pq, "PAR1 garbage garbage PAR1".getBytes());
    has(fail(pq), pq.toString(), "unreadable parquet file");
    Path js = jsonl("bad.jsonl", "{\"image_path\": \"a.png\", \"problem\": \"p\", \"solution\": \"s\"}", "{oops");
    has(fail(js), js + " row 1", "not valid JSON");
  }

  @Test
  void missingImageFile() throws Exception {
    Path f = jsonl("img.jsonl", "{\"image_path\": \"a.png\", \"problem\": \"p\", \"solution\": \"s\"}",
        "{\"image_path\": \"missing/b.png\", \"problem\": \"p\", \"solution\": \"s\"}");
    has(fail(f), f + " row 1", "image file", "missing/b.png", "not found");
  }

  @Test
  void emptyDataset() throws Exception {
    Path f = jsonl("empty.jsonl");
    has(fail(f), f.toString(), "empty dataset");
    Path j = tmp.resolve("empty.json");
    Files.writeString(j, "[]");
    has(fail(j), j.toString(), "empty dataset");
    Path dir = arrowSplit("problem", new ArrowType.Utf8(), true, 0);
    has(fail(dir), dir.toString(), "empty dataset");
    Path nothing = Files.createDirectories(tmp.resolve("nothing"));
    has(fail(nothing), nothing.toString(), "not a dataset directory");
  }

  @Test
  void missingSplit() throws Exception {
    VirftException e = assertThrows(VirftException.class,
        () -> Datasets.open(FixtureReadTest.DATA.resolve("virft_save_to_disk"), "test"));
    has(e.getMessage(), "dataset_dict.json", "no split 'test'", "train");
  }

  /** A save_to_disk split whose shard has {@code image} (binary), {@code solution} and {@code col}. */
  Path arrowSplit(String col, ArrowType type, boolean withSolution) throws Exception {
    return arrowSplit(col, type, withSolution, 1);
  }

  Path arrowSplit(String col, ArrowType type, boolean withSolution, int rows) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("split-" + col + "-" + rows + "-" + type.getTypeID()));
    List<Field> fields = new ArrayList<>(List.of(Field.nullable("image", ArrowType.Binary.INSTANCE), Field.nullable(col, type)));
    if (withSolution && !col.equals("solution")) fields.add(Field.nullable("solution", ArrowType.Utf8.INSTANCE));
    try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), alloc);
        var out = Files.newOutputStream(dir.resolve("data-00000-of-00001.arrow"));
        ArrowStreamWriter w = new ArrowStreamWriter(root, null, Channels.newChannel(out))) {
      w.start();
      if (rows > 0) {
        root.allocateNew();
        ((org.apache.arrow.vector.VarBinaryVector) root.getVector("image")).setSafe(0, Files.readAllBytes(png()));
        if (root.getVector(col) instanceof BigIntVector v) v.setSafe(0, 5);
        else ((org.apache.arrow.vector.VarCharVector) root.getVector(col)).setSafe(0, "x".getBytes());
        if (root.getVector("solution") != null && !col.equals("solution")) {
          ((org.apache.arrow.vector.VarCharVector) root.getVector("solution")).setSafe(0, "s".getBytes());
        }
        root.setRowCount(1);
        w.writeBatch();
      }
      w.end();
    }
    Files.writeString(dir.resolve("state.json"), "{\"_data_files\": [{\"filename\": \"data-00000-of-00001.arrow\"}]}");
    return dir;
  }

  static void copyDir(Path from, Path to) throws Exception {
    try (var s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t);
      }
    }
  }
}
