package dev.virft.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What we write reads back identically, and its metadata is what pyarrow/HF wrote for the fixtures. */
class WriteRoundTripTest {
  static final Path DATA = FixtureReadTest.DATA;
  @TempDir Path tmp;

  static List<Sample> read(Path p) {
    List<Sample> rows = new ArrayList<>();
    try (DatasetReader r = Datasets.open(p)) {
      r.forEach(rows::add);
    }
    return rows;
  }

  @ParameterizedTest
  @EnumSource(DatasetFormat.class)
  void fixtureRowsRoundTrip(DatasetFormat format) {
    List<Sample> in = read(DATA.resolve("virft_save_to_disk"));
    Path out = tmp.resolve("out");
    assertEquals(3, format.write(out, in));
    List<Sample> back = read(out);
    assertEquals(in.size(), back.size());
    for (int i = 0; i < in.size(); i++) {
      assertEquals(in.get(i).problem(), back.get(i).problem());
      assertEquals(in.get(i).solution(), back.get(i).solution());
      assertArrayEquals(in.get(i).image().bytes(), back.get(i).image().bytes());
    }
  }

  @Test
  void extraColumnsRoundTripInEveryFormat() throws Exception {
    Path src = tmp.resolve("src");
    Files.createDirectories(src);
    Files.copy(DATA.resolve("virft_parquet/data/train-00000-of-00001.parquet"), src.resolve("x.parquet"));
    byte[] png = read(src.resolve("x.parquet")).get(0).image().bytes();
    Files.write(src.resolve("a.png"), png);
    Files.writeString(src.resolve("rows.jsonl"),
        "{\"image_path\": \"a.png\", \"problem\": \"p0\", \"solution\": \"s0\", \"id\": \"r0\", \"n\": 7, \"w\": 0.5, \"ok\": true}\n"
            + "{\"image\": \"a.png\", \"problem\": \"p1\", \"solution\": \"s1\", \"id\": \"r1\", \"n\": -2, \"w\": null, \"ok\": false}\n");
    List<Sample> in = read(src.resolve("rows.jsonl"));
    assertEquals(Map.of("id", "r0", "n", 7L, "w", 0.5, "ok", true), in.get(0).columns());
    for (DatasetFormat f : DatasetFormat.values()) {
      Path out = tmp.resolve("out-" + f);
      f.write(out, in);
      List<Sample> back = read(out);
      assertEquals(Map.of("id", "r0", "n", 7L, "w", 0.5, "ok", true), back.get(0).columns(), f.toString());
      assertEquals(Map.of("id", "r1", "n", -2L, "ok", false), back.get(1).columns(), f.toString());
      assertArrayEquals(png, back.get(1).image().bytes());
    }
  }

  @Test
  void saveToDiskMetadataMatchesWhatHfWrites() throws Exception {
    Path out = tmp.resolve("std");
    DatasetFormat.SAVE_TO_DISK.write(out, read(DATA.resolve("virft_parquet")));
    Path ref = DATA.resolve("virft_save_to_disk");
    assertEquals(Files.readString(ref.resolve("dataset_dict.json")), Files.readString(out.resolve("dataset_dict.json")));
    assertEquals(Files.readString(ref.resolve("train/dataset_info.json")), Files.readString(out.resolve("train/dataset_info.json")));
    String fp = "\"_fingerprint\": \"[0-9a-f]{16}\"";
    assertEquals(Files.readString(ref.resolve("train/state.json")).replaceAll(fp, "FP"),
        Files.readString(out.resolve("train/state.json")).replaceAll(fp, "FP"));
    assertEquals(arrowMetadata(ref.resolve("train/data-00000-of-00001.arrow")),
        arrowMetadata(out.resolve("train/data-00000-of-00001.arrow")));
  }

  @Test
  void parquetMetadataAndSchemaMatchPyarrow() throws Exception {
    Path out = tmp.resolve("pq");
    DatasetFormat.PARQUET.write(out, read(DATA.resolve("virft_save_to_disk")));
    Path ours = out.resolve("data/train-00000-of-00001.parquet");
    Path ref = DATA.resolve("virft_parquet/data/train-00000-of-00001.parquet");
    try (ParquetFileReader a = ParquetDatasetReader.open(ref); ParquetFileReader b = ParquetDatasetReader.open(ours)) {
      assertEquals(a.getFooter().getFileMetaData().getSchema(), b.getFooter().getFileMetaData().getSchema());
      assertEquals(a.getFooter().getFileMetaData().getKeyValueMetaData().get("huggingface"),
          b.getFooter().getFileMetaData().getKeyValueMetaData().get("huggingface"));
    }
  }

  @Test
  void rollsOverToNewShardsAndReadsThemInOrder() throws Exception {
    List<Sample> in = read(DATA.resolve("virft_save_to_disk"));
    List<Sample> rows = new ArrayList<>();
    for (int k = 0; k < 250; k++) rows.add(in.get(k % 3));
    Path out = tmp.resolve("sharded");
    // A 1-byte shard limit closes each shard after its first (100-row) batch.
    DatasetFormat.SAVE_TO_DISK.write(out, rows.iterator(), "train", 1);
    for (String f : List.of("data-00000-of-00003.arrow", "data-00001-of-00003.arrow", "data-00002-of-00003.arrow")) {
      assertEquals(true, Files.isRegularFile(out.resolve("train").resolve(f)), f);
    }
    ArrowDatasetReader r = ArrowDatasetReader.openSplit(out.resolve("train"));
    assertEquals(3, r.shards().size());
    List<Sample> back = read(out);
    assertEquals(250, back.size());
    for (int k = 0; k < 250; k++) assertEquals(rows.get(k).problem(), back.get(k).problem());
    assertEquals(49, back.get(249).source().row());
  }

  @Test
  void parquetDirectoryPicksTheSplitsShards() throws Exception {
    List<Sample> in = read(DATA.resolve("virft_save_to_disk"));
    DatasetFormat.PARQUET.write(tmp.resolve("a"), in.subList(0, 2).iterator(), "train", 0);
    DatasetFormat.PARQUET.write(tmp.resolve("b"), in.subList(2, 3).iterator(), "test", 0);
    Path hub = Files.createDirectories(tmp.resolve("hub/data"));
    Files.copy(tmp.resolve("a/data/train-00000-of-00001.parquet"), hub.resolve("train-00000-of-00001.parquet"));
    Files.copy(tmp.resolve("b/data/test-00000-of-00001.parquet"), hub.resolve("test-00000-of-00001.parquet"));
    assertEquals(List.of(in.get(0).problem(), in.get(1).problem()),
        read(tmp.resolve("hub")).stream().map(Sample::problem).toList());
    try (DatasetReader r = Datasets.open(tmp.resolve("hub"), "test")) {
      assertEquals(java.util.OptionalLong.of(1), r.size());
      assertEquals(in.get(2).solution(), r.iterator().next().solution());
    }
  }

  static Map<String, String> arrowMetadata(Path shard) throws Exception {
    try (RootAllocator alloc = new RootAllocator(); var in = Files.newInputStream(shard);
        ArrowStreamReader r = new ArrowStreamReader(in, alloc)) {
      return r.getVectorSchemaRoot().getSchema().getCustomMetadata();
    }
  }
}
