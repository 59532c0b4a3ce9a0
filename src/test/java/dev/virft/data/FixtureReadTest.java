package dev.virft.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ViRFT layouts written by pyarrow read back to exactly the rows pyarrow wrote. */
class FixtureReadTest {
  static final Path DATA = Path.of("src/test/resources/data");

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @ParameterizedTest
  @ValueSource(strings = {"virft_save_to_disk", "virft_save_to_disk/train", "virft_parquet",
      "virft_parquet/data/train-00000-of-00001.parquet", "virft_save_to_disk/train/data-00000-of-00001.arrow"})
  void everyRowEqualsTheReference(String layout) throws Exception {
    JsonNode expected = Json.read(DATA.resolve("virft_rows.json"));
    List<Sample> rows = new ArrayList<>();
    try (DatasetReader r = Datasets.open(DATA.resolve(layout))) {
      r.forEach(rows::add);
      assertEquals(List.of("image", "problem", "solution"), r.columns().stream().map(Column::name).toList());
      assertEquals("struct<bytes: binary, path: string>", r.columns().get(0).type());
    }
    assertEquals(expected.size(), rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Sample s = rows.get(i);
      JsonNode e = expected.get(i);
      assertEquals(e.get("problem").asText(), s.problem());
      assertEquals(e.get("solution").asText(), s.solution());
      assertEquals(e.get("png_sha256").asText(), sha256(s.image().bytes()));
      assertEquals(e.get("size").get(0).asInt(), s.width());
      assertEquals(e.get("size").get(1).asInt(), s.height());
      BufferedImage img = s.image().decode();
      assertEquals(e.get("size").get(0).asInt(), img.getWidth());
      assertEquals(e.get("size").get(1).asInt(), img.getHeight());
      assertEquals(i, s.source().row());
      assertEquals(0, s.columns().size());
    }
  }
}
